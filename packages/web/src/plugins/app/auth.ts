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

/**
 * Sign-in: decorates the app with the configured IdentityProvider (routes/auth
 * runs the OAuth2 code + PKCE flow with it, see auth/oauth2.ts, keeping its
 * state, nonce and verifier in the encrypted session: a sibling host can
 * write cookies, it cannot forge our session) and with `requireUser`, the
 * hook that guards every page but /auth and /healthz.
 */
export default fp<{ auth: AuthConfig; provider: IdentityProvider }>(
  async (app, { provider }) => {
    app.decorate('identityProvider', provider);

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
