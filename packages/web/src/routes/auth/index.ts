import { consoleCallbackUrl } from '@rez/core';
import type { FastifyInstance } from 'fastify';
import { allowedUser, describeIdentity, type TokenSet } from '../../auth/identity';
import { authorizationUrl, exchangeCode, pkcePair, randomToken } from '../../auth/oauth2';
import { LoginError, NotAllowedError } from '../../errors';
import { DEFAULT_SESSION_TTL_SECONDS, LOGIN_TIMEOUT_MS } from '../../plugins/app/auth';
import { LOGIN_RATE_LIMIT, POST_RATE_LIMIT } from '../../plugins/external/rate-limit';

/** Only same-site paths: `//evil.example` and `/\evil` are other hosts to a browser. */
export function safeReturnTo(value: string | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}

/** /auth/*: the only console routes open to anonymous visitors (besides /healthz). */
export default async function authRoutes(app: FastifyInstance) {
  const { auth, clock } = app.rez;
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
      const login = {
        state: randomToken(),
        nonce: randomToken(),
        verifier: pkce.verifier,
        returnTo: safeReturnTo(request.query.returnTo),
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
      // The pending login is cleared only once the exchange is done: a refused callback leaves it for a retry.
      const login = request.session.get('login');
      if (request.query.error) {
        request.session.set('login', undefined);
        const detail = request.query.error_description ?? request.query.error;
        throw new LoginError(`the identity provider refused the login: ${detail}`);
      }
      if (!request.query.code)
        throw new LoginError('the callback carries no authorization code', { statusCode: 400 });
      if (
        !login ||
        request.query.state !== login.state ||
        clock.now().getTime() - login.startedAt >= LOGIN_TIMEOUT_MS
      ) {
        throw new LoginError(
          'this login could not be matched to one started in this browser (state mismatch or expired); start again',
          { statusCode: 400 },
        );
      }
      // RFC 9207: an issuer that names itself must be the one this login went to (mix-up defence).
      const issuer = app.identityProvider.issuer;
      if (request.query.iss !== undefined && issuer !== undefined && request.query.iss !== issuer) {
        throw new LoginError(`the callback comes from issuer "${request.query.iss}", not ${issuer}`, {
          statusCode: 400,
        });
      }

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
      request.session.set('login', undefined);
      const identity = await app.identityProvider.identify(tokens, { nonce: login.nonce });
      const user = allowedUser(identity, auth.allowedUsers);
      if (!user) throw new NotAllowedError(describeIdentity(identity));

      request.session.regenerate();
      request.session.set('user', user);
      request.session.set('expiresAt', clock.now().getTime() + ttlSeconds * 1000);
      request.log.info({ user: user.handle }, 'signed in');
      return reply.redirect(login.returnTo, 303);
    },
  );

  app.post(
    '/logout',
    {
      config: { rateLimit: POST_RATE_LIMIT },
      preValidation: app.csrfProtection,
      schema: {
        body: { type: 'object', properties: { _csrf: { type: 'string', maxLength: 256 } } },
      },
    },
    async (request, reply) => {
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
