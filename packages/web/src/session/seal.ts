import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Sealing of the console's session cookie with node:crypto: AES-256-GCM
 * (authenticated encryption) under a key derived with HKDF-SHA256 from each
 * configured 32-byte key, a random 96-bit nonce per seal, and the time the
 * seal expires inside the sealed text. The format:
 *
 *     v1.<base64url(nonce ‖ ciphertext ‖ 16-byte tag)>
 *
 * The first key seals; every key opens, so keys rotate by putting a new one
 * first and dropping the old one a session lifetime later. A cookie that was
 * altered, sealed under another key, expired or malformed opens to nothing:
 * the visitor simply has no session.
 */

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Binds derived keys to this use: a REZ_SESSION_KEY reused elsewhere yields other keys. */
const HKDF_INFO = 'rez-console session cookie v1';

export interface SessionSealer {
  /** Seals `data` (JSON) to expire `ttlSeconds` after `now`. */
  seal(data: Record<string, unknown>, now: number): string;
  /** The data, or null when the text is not a live seal under one of the keys. */
  open(text: string, now: number): Record<string, unknown> | null;
}

/**
 * @example
 * const sealer = sessionSealer([key], 12 * 3600);
 * const cookie = sealer.seal({ user }, Date.now());
 * sealer.open(cookie, Date.now()); // → { user }
 */
export function sessionSealer(keys: readonly Buffer[], ttlSeconds: number): SessionSealer {
  if (keys.length === 0) throw new Error('session sealing needs at least one key');
  const derived = keys.map((key, index) => {
    if (key.length !== 32) throw new Error(`session key ${index + 1} must be 32 bytes, got ${key.length}`);
    return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), HKDF_INFO, 32));
  });
  const aad = Buffer.from(VERSION);

  return {
    seal(data, now) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', derived[0], nonce).setAAD(aad);
      const plain = Buffer.from(JSON.stringify({ exp: now + ttlSeconds * 1000, data }));
      const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${sealed.toString('base64url')}`;
    },

    open(text, now) {
      const dot = text.indexOf('.');
      if (dot < 0 || text.slice(0, dot) !== VERSION) return null;
      const sealed = Buffer.from(text.slice(dot + 1), 'base64url');
      if (sealed.length < NONCE_BYTES + TAG_BYTES) return null;
      const nonce = sealed.subarray(0, NONCE_BYTES);
      const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
      const tag = sealed.subarray(sealed.length - TAG_BYTES);
      for (const key of derived) {
        let plain: Buffer;
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, nonce).setAAD(aad).setAuthTag(tag);
          plain = Buffer.concat([decipher.update(body), decipher.final()]);
        } catch {
          continue; // not this key (or altered): try the next one
        }
        const { exp, data } = JSON.parse(plain.toString('utf8')) as {
          exp: number;
          data: Record<string, unknown>;
        };
        return typeof exp === 'number' && exp > now && data !== null && typeof data === 'object'
          ? data
          : null;
      }
      return null;
    },
  };
}
