import { asciiLower, consoleUserKey, isEmailEntry } from '@rez/core';
import type { Identity } from './identity';

/**
 * REZ_ALLOWED_USERS, split by kind: e-mail entries match only verified
 * e-mail claims, login entries only GitHub logins. Keys are
 * {@link consoleUserKey}s: ASCII-only case folding, so `Ana@Example.com`
 * matches `ana@example.com` and no lookalike matches anything.
 */
export class Allowlist {
  readonly #emails = new Set<string>();
  readonly #logins = new Set<string>();

  constructor(entries: readonly string[]) {
    for (const entry of entries.map(consoleUserKey).filter(Boolean)) {
      (isEmailEntry(entry) ? this.#emails : this.#logins).add(entry);
    }
  }

  /**
   * The entry an identity signs in as, or null: its GitHub login against
   * login entries first, then each verified e-mail against e-mail entries.
   * Identities carry only verified e-mails (see the providers).
   */
  match(identity: Identity): string | null {
    if (identity.login !== undefined) {
      const login = asciiLower(identity.login);
      if (!isEmailEntry(login) && this.#logins.has(login)) return login;
    }
    for (const email of identity.emails) {
      const key = asciiLower(email);
      if (isEmailEntry(key) && this.#emails.has(key)) return key;
    }
    return null;
  }

  /** Whether `entry` (a key from {@link match}) is still on the list: asked on every request. */
  has(entry: string): boolean {
    return (isEmailEntry(entry) ? this.#emails : this.#logins).has(entry);
  }
}
