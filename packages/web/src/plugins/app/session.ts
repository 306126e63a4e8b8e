import cookie from '@fastify/cookie';
import fp from 'fastify-plugin';
import type { ConsoleUser } from '../../auth/identity';
import { type SessionSealer, sessionSealer } from '../../session/seal';

/** Session cookie name; the __Host- prefix is used over https (no Domain, Path=/, Secure). */
export const SESSION_COOKIE = 'rez_session';
export const SECURE_SESSION_COOKIE = '__Host-rez_session';

/** An OAuth2 login under way: bound to this browser's encrypted cookie, so it cannot be planted. */
export interface PendingLogin {
  state: string;
  nonce: string;
  /** PKCE (RFC 7636) code_verifier; its S256 challenge went out with the authorization request. */
  verifier: string;
  returnTo: string;
  /** Epoch ms; a login older than ten minutes is refused. */
  startedAt: number;
}

/** What the session cookie holds. */
export interface SessionData {
  user: ConsoleUser;
  /** Epoch ms after which the session is refused, whatever the cookie says. */
  expiresAt: number;
  /** This sign-in's id: a sign-out ends it on the server (ConsoleSessionStore). */
  sid: string;
  /** The user's session epoch at sign-in: ending all their sessions moves it on. */
  epoch: number;
  login: PendingLogin;
  /** @fastify/csrf-protection's secret (it reads and writes it through get/set). */
  _csrf: string;
}

/**
 * The session of one request, read from its cookie. The API is the one
 * @fastify/csrf-protection expects of a '@fastify/secure-session' session
 * (get, set): that plugin keeps its secret here.
 */
export class Session {
  #data: Partial<SessionData>;
  /** Something was set: the cookie is sealed again on the way out. */
  changed = false;
  /** delete() was called: the cookie is cleared on the way out. */
  deleted = false;

  constructor(data: Partial<SessionData> = {}) {
    this.#data = data;
  }

  get<K extends keyof SessionData>(key: K): SessionData[K] | undefined {
    return this.#data[key];
  }

  /** Sets a value; `undefined` removes it. */
  set<K extends keyof SessionData>(key: K, value: SessionData[K] | undefined): void {
    if (value === undefined) delete this.#data[key];
    else this.#data[key] = value;
    this.changed = true;
    this.deleted = false;
  }

  /** Ends the session: every value goes and the browser is told to drop the cookie. */
  delete(): void {
    this.#data = {};
    this.changed = true;
    this.deleted = true;
  }

  /** Starts afresh (at sign-in): nothing set before survives, not even the CSRF secret. */
  regenerate(): void {
    this.#data = {};
    this.changed = true;
    this.deleted = false;
  }

  /** A copy of the values, for sealing. */
  data(): Partial<SessionData> {
    return { ...this.#data };
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    session: Session;
  }
  interface FastifyInstance {
    /** The cookie value for `data` (what the response would set); for tests and tools. */
    sealSession(data: Partial<SessionData>): string;
    /** The session a cookie value holds, or null when it is not a live seal under our keys. */
    openSession(value: string): Session | null;
  }
}

/**
 * A seal stays readable this long after the session's own lifetime, so a
 * session that ran out is still recognised as one that ran out (the page
 * says so) instead of as no session. It signs nobody in: the session's
 * `expiresAt` decides that.
 */
const SEAL_GRACE_SECONDS = 24 * 60 * 60;

export interface SessionOptions {
  /** 32-byte keys: the first seals, every one opens (rotation). */
  keys: Buffer[];
  /** Session lifetime: the cookie's Max-Age. */
  ttlSeconds: number;
  /** Secure cookie: true when the public URL is https. */
  secure: boolean;
  /** The time seals are stamped with and checked against. */
  now: () => number;
}

/**
 * A stateless session in one encrypted cookie (see session/seal.ts), which
 * suits Lambda: no session store. The cookie is sealed again only when the
 * request changed the session, and lives as long as the session does.
 */
export default fp<SessionOptions>(
  async (app, options) => {
    const sealer: SessionSealer = sessionSealer(options.keys, options.ttlSeconds + SEAL_GRACE_SECONDS);
    const cookieName = options.secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
    const cookieOptions = {
      path: '/',
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: options.secure,
      maxAge: options.ttlSeconds,
    };
    const open = (value: string | undefined) => {
      const data = value ? sealer.open(value, options.now()) : null;
      return data ? new Session(data as Partial<SessionData>) : null;
    };

    await app.register(cookie);
    app.decorate('sealSession', (data: Partial<SessionData>) => sealer.seal(data, options.now()));
    app.decorate('openSession', (value: string) => open(value));
    app.decorateRequest('session', null as unknown as Session);
    app.addHook('onRequest', async (request) => {
      request.session = open(request.cookies[cookieName]) ?? new Session();
    });
    app.addHook('onSend', async (request, reply) => {
      const session = request.session;
      if (!session?.changed) return;
      if (session.deleted) {
        reply.setCookie(cookieName, '', { ...cookieOptions, maxAge: 0, expires: new Date(0) });
        return;
      }
      reply.setCookie(cookieName, sealer.seal(session.data(), options.now()), cookieOptions);
    });
  },
  { name: 'rez-session' },
);
