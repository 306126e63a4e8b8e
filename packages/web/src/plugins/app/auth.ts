import { consoleSessionLive } from '@rez/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Allowlist } from '../../auth/allowlist';
import { githubProvider } from '../../auth/github';
import type { ConsoleUser, IdentityProvider } from '../../auth/identity';
import { discoverIssuer, oidcProvider } from '../../auth/oidc';
import type { AuthConfig } from '../../deps';
import { NotAllowedError } from '../../errors';
import type { Session } from './session';

/** How long a started login may take before its state is refused. */
export const LOGIN_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_SESSION_TTL_SECONDS = 12 * 60 * 60;

declare module 'fastify' {
  interface FastifyInstance {
    identityProvider: IdentityProvider;
    /** REZ_ALLOWED_USERS, checked at sign-in and on every signed-in request. */
    allowlist: Allowlist;
    /** onRequest hook guarding a subtree: a live session of an allowed user, or no entry. */
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

/** Resolves the configured provider: one discovery request feeds both the OAuth2 client and id_token checks. */
export async function resolveProvider(auth: AuthConfig): Promise<IdentityProvider> {
  if (auth.provider.kind === 'github') return githubProvider(auth);
  const metadata = auth.provider.metadata ?? (await discoverIssuer(auth.provider.issuer, auth.fetch));
  return oidcProvider(metadata, auth);
}

/** Why a cookie's session does not sign anyone in. */
type Refusal = 'none' | 'expired' | 'ended' | 'not-allowed';

/**
 * Sign-in: decorates the app with the configured IdentityProvider (routes/auth
 * runs the OAuth2 code + PKCE flow with it, see auth/oauth2.ts, keeping its
 * state, nonce and verifier in the encrypted session: a sibling host can
 * write cookies, it cannot forge our session), the allowlist, and
 * `requireUser`, the hook that guards every page but /auth and /healthz.
 *
 * On every guarded request `requireUser` checks, in order: the sealed
 * session has a user and has not expired; that user's allowlist entry is
 * still on REZ_ALLOWED_USERS (else a 403, session cleared); and the
 * session was not ended on the server — signed out, or all the user's
 * sessions ended by an operator — which costs one read by key of the
 * user's record in the message store (ConsoleSessionStore).
 */
export default fp<{ auth: AuthConfig; provider: IdentityProvider }>(
  async (app, { auth, provider }) => {
    app.decorate('identityProvider', provider);
    app.decorate('allowlist', new Allowlist(auth.allowedUsers));

    const check = async (
      session: Session,
    ): Promise<{ user: ConsoleUser } | { refused: Refusal; entry?: string }> => {
      const user = session.get('user');
      const expiresAt = session.get('expiresAt');
      const sid = session.get('sid');
      const epoch = session.get('epoch');
      if (!user) return { refused: 'none' };
      // A cookie sealed before sessions had ids (or missing any part) is no session at all.
      if (typeof user.entry !== 'string' || typeof sid !== 'string' || typeof epoch !== 'number')
        return { refused: 'ended' };
      if (typeof expiresAt !== 'number' || expiresAt <= app.rez.clock.now().getTime())
        return { refused: 'expired' };
      if (!app.allowlist.has(user.entry)) return { refused: 'not-allowed', entry: user.entry };
      const state = await app.rez.store.consoleSessionState(user.entry);
      return consoleSessionLive(state, { id: sid, epoch }) ? { user } : { refused: 'ended' };
    };

    app.decorate('requireUser', async (request: FastifyRequest, reply: FastifyReply) => {
      const outcome = await check(request.session);
      if ('user' in outcome) {
        request.user = outcome.user;
        return;
      }
      const { refused, entry } = outcome;
      if (refused !== 'none') request.session.delete();
      // Taken off REZ_ALLOWED_USERS since signing in: out at once, whatever the session says.
      if (refused === 'not-allowed') throw new NotAllowedError(entry ?? 'this account');
      if (request.method === 'GET' || request.method === 'HEAD') {
        return reply.redirect(`/auth/login?returnTo=${encodeURIComponent(request.url)}`, 302);
      }
      const message =
        refused === 'expired'
          ? 'Your session has expired. Sign in again, then repeat what you were doing.'
          : refused === 'ended'
            ? 'Your session has ended (you signed out, or an operator ended your sessions). Sign in again, then repeat what you were doing.'
            : 'Sign in to use the console.';
      return reply.page('error', { title: 'Sign in required', message, signIn: true }, 401);
    });
  },
  { name: 'rez-auth', dependencies: ['rez-session', 'rez-services', 'rez-views'] },
);
