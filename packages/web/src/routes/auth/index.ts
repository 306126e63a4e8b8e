import type { FastifyInstance } from 'fastify';
import { allowedUser, describeIdentity, type TokenSet } from '../../auth/identity';
import { LoginError, NotAllowedError } from '../../errors';
import { DEFAULT_SESSION_TTL_SECONDS, randomToken } from '../../plugins/app/auth';
import { LOGIN_RATE_LIMIT, POST_RATE_LIMIT } from '../../plugins/external/rate-limit';

/** Only same-site paths: `//evil.example` and `/\evil` are other hosts to a browser. */
export function safeReturnTo(value: string | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}

/** /auth/*: the only console routes open to anonymous visitors (besides /healthz). */
export default async function authRoutes(app: FastifyInstance) {
  const ttlSeconds = app.rez.auth.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;

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
      const login = {
        state: randomToken(),
        nonce: randomToken(),
        returnTo: safeReturnTo(request.query.returnTo),
        startedAt: app.rez.clock.now().getTime(),
      };
      request.session.set('login', login);
      const url = new URL(await app.oauth.generateAuthorizationUri(request, reply));
      if (app.identityProvider.usesNonce) url.searchParams.set('nonce', login.nonce);
      return reply.redirect(url.toString(), 302);
    },
  );

  app.get<{ Querystring: { code?: string; state?: string; error?: string; error_description?: string } }>(
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
      // The state check below reads the pending login, so it is cleared only once the exchange is done.
      const login = request.session.get('login');
      if (request.query.error) {
        request.session.set('login', undefined);
        const detail = request.query.error_description ?? request.query.error;
        throw new LoginError(`the identity provider refused the login: ${detail}`);
      }
      if (!request.query.code)
        throw new LoginError('the callback carries no authorization code', { statusCode: 400 });

      let tokens: TokenSet;
      try {
        ({ token: tokens } = await app.oauth.getAccessTokenFromAuthorizationCodeFlow(request, reply));
      } catch (cause) {
        const invalidState = (cause as Error).message === 'Invalid state';
        throw new LoginError(
          invalidState
            ? 'this login could not be matched to one started in this browser (state mismatch or expired); start again'
            : `the code exchange with the identity provider failed: ${(cause as Error).message}`,
          { statusCode: invalidState ? 400 : 502, cause },
        );
      }
      request.session.set('login', undefined);
      const identity = await app.identityProvider.identify(tokens, { nonce: login?.nonce });
      const user = allowedUser(identity, app.rez.auth.allowedUsers);
      if (!user) throw new NotAllowedError(describeIdentity(identity));

      request.session.regenerate();
      request.session.set('user', user);
      request.session.set('expiresAt', app.rez.clock.now().getTime() + ttlSeconds * 1000);
      request.log.info({ user: user.handle }, 'signed in');
      return reply.redirect(login?.returnTo ?? '/', 303);
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
