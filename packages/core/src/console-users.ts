import { ValidationError } from './errors';

/**
 * Who may use the ops console, as one rule for the console (the allowlist
 * it checks on every request) and the CLI (whose `sessions end <user>`
 * names a user the same way): an allowlist entry is an e-mail address
 * (it has an `@`) or a GitHub login, compared after ASCII-only case folding.
 */

/**
 * ASCII-only lower case: A–Z become a–z and every other character stays as
 * it is. `toLowerCase()` folds far more (U+212A KELVIN SIGN becomes `k`),
 * so a lookalike could match an entry; this cannot.
 *
 * @example
 * asciiLower('Ana@Example.COM') // 'ana@example.com'
 * asciiLower('\u212Aate')        // '\u212Aate' (not 'kate')
 */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * The key of an allowlist entry or of a name given for one: trimmed and
 * ASCII-lower-cased. Session records are kept under it.
 *
 * @example
 * consoleUserKey(' Octocat ') // 'octocat'
 */
export function consoleUserKey(entry: string): string {
  return asciiLower(entry.trim());
}

/** The longest console user name (an allowlist entry) anyone may give. */
export const MAX_CONSOLE_USER_LENGTH = 254;

/**
 * A console user named from outside (the CLI's `sessions end <user>`, the
 * console's sessions form) as its {@link consoleUserKey}; refused with a
 * ValidationError on `user` when empty, too long or holding control
 * characters — no allowlist entry looks like that.
 *
 * @example
 * parseConsoleUser(' Ana@Example.com ') // 'ana@example.com'
 */
export function parseConsoleUser(name: string): string {
  const key = consoleUserKey(name);
  const refuse = (message: string) => new ValidationError('console user', [{ path: 'user', message }]);
  if (key === '') throw refuse('must name an e-mail address or a GitHub login from REZ_ALLOWED_USERS');
  if (key.length > MAX_CONSOLE_USER_LENGTH)
    throw refuse(`must be at most ${MAX_CONSOLE_USER_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) throw refuse('must not contain control characters');
  return key;
}

/** Whether an allowlist entry names an e-mail address (else a GitHub login). */
export function isEmailEntry(entry: string): boolean {
  return entry.includes('@');
}
