import { consoleCallbackUrl } from '@rez/core';
import type { FastifyInstance } from 'fastify';
import { consoleUser, describeIdentity, type TokenSet } from '../../auth/identity';
import { authorizationUrl, exchangeCode, pkcePair, randomToken } from '../../auth/oauth2';
import { LoginError, NotAllowedError } from '../../errors';
import { DEFAULT_SESSION_TTL_SECONDS, LOGIN_TIMEOUT_MS } from '../../plugins/app/auth';
import type { PendingLogin } from '../../plugins/app/session';
import { LOGIN_RATE_LIMIT, POST_RATE_LIMIT } from '../../plugins/external/rate-limit';
import { providerRefusal } from './provider-errors';
import { safeReturnTo } from './return-to';

export { safeReturnTo } from './return-to';

/** A pending login as the session holds it: every part present, or none of it counts. */
function isPendingLogin(value: unknown): value is PendingLogin {
  const login = value as Partial<PendingLogin> | undefined;
  return (
    typeof login?.state === 'string' &&
    typeof login.nonce === 'string' &&
    typeof login.verifier === 'string' &&
    login.verifier.length >= 43 &&
    typeof login.returnTo === 'string' &&
    typeof login.startedAt === 'number'
  );
}

/** /auth/*: the only console routes open to anonymous visitors (besides /healthz). */
export default async function authRoutes(app: FastifyInstance) {
  const { auth, clock, store } = app.rez;
  const ttlSeconds = auth.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
  const redirectUri = consoleCallbackUrl(auth.publicUrl);

  app.get<{ Querystring: { returnTo?: string } }>(
    '/login',
    {
      config: { rateLimit: LOGIN_RATE_LIMIT },
      schema: {
        querystring: {
          type: 'object',
          properties: { returnTo: { type: 'string', maxLength: 2048 } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const provider = app.identityProvider;
      const pkce = pkcePair();
      const login: PendingLogin = {
        state: randomToken(),
        nonce: randomToken(),
        verifier: pkce.verifier,
        returnTo: safeReturnTo(request.query.returnTo, auth.publicUrl),
        startedAt: clock.now().getTime(),
      };
      request.session.set('login', login);
      const url = authorizationUrl(provider.endpoints.authorization, {
        clientId: auth.clientId,
        redirectUri,
        scope: provider.scope,
        state: login.state,
        codeChallenge: pkce.challenge,
        nonce: provider.usesNonce ? login.nonce : undefined,
      });
      return reply.redirect(url.toString(), 302);
    },
  );

  app.get<{
    Querystring: { code?: string; state?: string; iss?: string; error?: string; error_description?: string };
  }>(
    '/callback',
    {
      config: { rateLimit: LOGIN_RATE_LIMIT },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 4096 },
            state: { type: 'string', maxLength: 512 },
            error: { type: 'string', maxLength: 256 },
            error_description: { type: 'string', maxLength: 1024 },
            iss: { type: 'string', maxLength: 1024 },
            session_state: { type: 'string', maxLength: 1024 },
          },
        },
      },
    },
    async (request, reply) => {
      // Nothing is cleared or believed before the state matches the login this browser started:
      // a forged callback (an error, a code) leaves a real login under way untouched.
      const login = request.session.get('login');
      if (
        !isPendingLogin(login) ||
        request.query.state !== login.state ||
        clock.now().getTime() - login.startedAt >= LOGIN_TIMEOUT_MS
      ) {
        throw new LoginError(
          'this login could not be matched to one started in this browser (state mismatch or expired); start again',
          { statusCode: 400 },
        );
      }
      if (request.query.error !== undefined) {
        request.session.set('login', undefined);
        // The provider's own words are not shown: they arrive in the URL, which anyone can write.
        request.log.warn(
          { error: request.query.error, description: request.query.error_description?.slice(0, 200) },
          'identity provider refused the login',
        );
        const refusal = providerRefusal(request.query.error);
        throw new LoginError(refusal.message, { statusCode: refusal.statusCode });
      }
      if (!request.query.code)
        throw new LoginError('the callback carries no authorization code', { statusCode: 400 });
      // RFC 9207: an issuer that names itself must be the one this login went to (mix-up defence).
      const issuer = app.identityProvider.issuer;
      if (request.query.iss !== undefined && issuer !== undefined && request.query.iss !== issuer) {
        throw new LoginError('the callback names another issuer than the one this login went to', {
          statusCode: 400,
        });
      }

      // The login is spent whatever the exchange says: a code is good once.
      request.session.set('login', undefined);
      const tokens: TokenSet = await exchangeCode(
        app.identityProvider.endpoints.token,
        {
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          code: request.query.code,
          redirectUri,
          codeVerifier: login.verifier,
        },
        auth.fetch,
      );
      const identity = await app.identityProvider.identify(tokens, { nonce: login.nonce });
      const entry = app.allowlist.match(identity);
      if (!entry) throw new NotAllowedError(describeIdentity(identity));
      const { epoch } = await store.consoleSessionState(entry);

      request.session.regenerate();
      request.session.set('user', consoleUser(identity, entry));
      request.session.set('expiresAt', clock.now().getTime() + ttlSeconds * 1000);
      request.session.set('sid', randomToken());
      request.session.set('epoch', epoch);
      request.log.info({ user: entry }, 'signed in');
      return reply.redirect(safeReturnTo(login.returnTo, auth.publicUrl), 303);
    },
  );

  app.post(
    '/logout',
    {
      config: { rateLimit: POST_RATE_LIMIT },
      schema: {
        body: { type: 'object', properties: { _csrf: { type: 'string', maxLength: 256 } } },
      },
    },
    async (request, reply) => {
      // Ended on the server too: a copy of the cookie opens nothing afterwards.
      const user = request.session.get('user');
      const sid = request.session.get('sid');
      const expiresAt = request.session.get('expiresAt');
      if (typeof user?.entry === 'string' && typeof sid === 'string' && typeof expiresAt === 'number') {
        await store.revokeConsoleSession(user.entry, { id: sid, expiresAt }, clock.now());
        request.log.info({ user: user.entry }, 'signed out');
      }
      request.session.delete();
      return reply.redirect('/auth/signed-out', 303);
    },
  );

  app.get(
    '/signed-out',
    { schema: { querystring: { type: 'object', properties: {} } } },
    async (_request, reply) => reply.page('signed-out', { title: 'Signed out' }),
  );
}
