import { randomBytes } from 'node:crypto';
import oauth2, { type OAuth2Namespace } from '@fastify/oauth2';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { githubProvider } from '../../auth/github';
import type { IdentityProvider } from '../../auth/identity';
import { discoverIssuer, oidcProvider } from '../../auth/oidc';
import type { AuthConfig } from '../../deps';

/** How long a started login may take before its state is refused. */
export const LOGIN_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_SESSION_TTL_SECONDS = 12 * 60 * 60;

declare module 'fastify' {
  interface FastifyInstance {
    /** @fastify/oauth2: authorization URL, code exchange (state check, PKCE verifier). */
    oauth: OAuth2Namespace;
    identityProvider: IdentityProvider;
    /** onRequest hook guarding a subtree: a live session or no entry. */
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

/** Resolves the configured provider: one discovery request feeds both the OAuth2 client and id_token checks. */
export async function resolveProvider(auth: AuthConfig): Promise<IdentityProvider> {
  if (auth.provider.kind === 'github') return githubProvider(auth);
  const metadata = auth.provider.metadata ?? (await discoverIssuer(auth.provider.issuer, auth.fetch));
  return oidcProvider(metadata, auth);
}

export const randomToken = (): string => randomBytes(24).toString('base64url');

/**
 * OAuth2 authorization code + PKCE (S256) through @fastify/oauth2, with the
 * state kept in the encrypted session rather than a plain cookie: a sibling
 * host can write cookies, it cannot forge our session. The plugin verifies
 * nothing about the identity; the IdentityProvider does (see auth/oidc.ts).
 */
export default fp<{ auth: AuthConfig; provider: IdentityProvider }>(
  async (app, { auth, provider }) => {
    const secure = auth.publicUrl.startsWith('https://');
    app.decorate('identityProvider', provider);
    await app.register(oauth2, {
      name: 'oauth',
      scope: provider.scope,
      credentials: {
        client: { id: auth.clientId, secret: auth.clientSecret },
        auth: provider.endpoints,
      },
      callbackUri: `${auth.publicUrl}/auth/callback`,
      pkce: 'S256',
      // Over https the verifier cookie gets the __Host- prefix, which only this host can set.
      hostPrefixedCookies: secure,
      cookie: { secure, path: secure ? '/' : '/auth' },
      generateStateFunction: (request: FastifyRequest) => {
        const login = request.session.get('login');
        if (!login) throw new Error('no login in progress: the session holds no state');
        return login.state;
      },
      checkStateFunction: (request: FastifyRequest) => {
        const login = request.session.get('login');
        const { state } = request.query as { state?: string };
        return (
          login !== undefined &&
          typeof state === 'string' &&
          state === login.state &&
          app.rez.clock.now().getTime() - login.startedAt < LOGIN_TIMEOUT_MS
        );
      },
    });

    app.decorate('requireUser', async (request: FastifyRequest, reply: FastifyReply) => {
      const user = request.session.get('user');
      const expiresAt = request.session.get('expiresAt');
      if (user && typeof expiresAt === 'number' && expiresAt > app.rez.clock.now().getTime()) {
        request.user = user;
        return;
      }
      const expired = user !== undefined;
      if (expired) request.session.delete();
      if (request.method === 'GET' || request.method === 'HEAD') {
        return reply.redirect(`/auth/login?returnTo=${encodeURIComponent(request.url)}`, 302);
      }
      return reply.page(
        'error',
        {
          title: 'Sign in required',
          message: expired
            ? 'Your session has expired. Sign in again, then repeat what you were doing.'
            : 'Sign in to use the console.',
          signIn: true,
        },
        401,
      );
    });
  },
  { name: 'rez-auth', dependencies: ['rez-session', 'rez-services', 'rez-views'] },
);
