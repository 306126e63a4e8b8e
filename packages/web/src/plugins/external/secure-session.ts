import secureSession from '@fastify/secure-session';
import fp from 'fastify-plugin';
import type { ConsoleUser } from '../../auth/identity';

/** Session cookie name; the __Host- prefix is used over https (no Domain, Path=/, Secure). */
export const SESSION_COOKIE = 'rez_session';
export const SECURE_SESSION_COOKIE = '__Host-rez_session';

/** An OAuth2 login under way: bound to this browser's encrypted cookie, so it cannot be planted. */
export interface PendingLogin {
  state: string;
  nonce: string;
  returnTo: string;
  /** Epoch ms; a login older than ten minutes is refused. */
  startedAt: number;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    user: ConsoleUser;
    /** Epoch ms after which the session is refused, whatever the cookie says. */
    expiresAt: number;
    login: PendingLogin;
    _csrf: string;
  }
}

export interface SessionOptions {
  keys: Buffer[];
  ttlSeconds: number;
  /** Secure cookie: true when the public URL is https. */
  secure: boolean;
}

/**
 * A stateless session in one encrypted cookie (libsodium secretbox), which
 * suits Lambda: no session store. The first key encrypts, every key decrypts,
 * so a new key can be put first and the old one dropped a session lifetime later.
 */
export default fp<SessionOptions>(
  async (app, options) => {
    await app.register(secureSession, {
      key: options.keys,
      cookieName: options.secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE,
      expiry: options.ttlSeconds,
      cookie: {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secure,
        maxAge: options.ttlSeconds,
      },
    });
  },
  { name: 'rez-session' },
);
