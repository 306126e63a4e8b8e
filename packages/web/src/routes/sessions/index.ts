import { MAX_CONSOLE_USER_LENGTH, parseConsoleUser } from '@rez/core';
import type { FastifyInstance } from 'fastify';
import { POST_RATE_LIMIT } from '../../plugins/external/rate-limit';

/**
 * /sessions: ending every session of one console user (any allowed user
 * may; all of them are operators) — a stolen cookie, a lost laptop — on
 * the server, without rotating REZ_SESSION_KEY. The same as
 * `npm run rez -- sessions end <user>` locally.
 */
export default async function sessionRoutes(app: FastifyInstance) {
  const { store, clock } = app.rez;

  app.get<{ Querystring: { ended?: string } }>(
    '/',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { ended: { type: 'string', maxLength: MAX_CONSOLE_USER_LENGTH } },
        },
      },
    },
    async (request, reply) => {
      const ended = request.query.ended;
      return reply.page('sessions', {
        title: 'Sessions',
        entry: request.user?.entry,
        ended,
        endedAllowed: ended ? app.allowlist.has(ended) : false,
        maxLength: MAX_CONSOLE_USER_LENGTH,
      });
    },
  );

  app.post<{ Body: { user?: string } }>(
    '/end',
    {
      config: { rateLimit: POST_RATE_LIMIT },
      schema: {
        body: {
          type: 'object',
          required: ['user'],
          properties: {
            _csrf: { type: 'string', maxLength: 256 },
            user: { type: 'string', maxLength: MAX_CONSOLE_USER_LENGTH + 64 },
          },
        },
      },
    },
    async (request, reply) => {
      const user = parseConsoleUser(request.body.user ?? '');
      const epoch = await store.endConsoleSessions(user);
      request.log.info(
        { user, epoch, by: request.user?.entry, at: clock.now().toISOString() },
        'ended every console session of a user',
      );
      if (user === request.user?.entry) {
        request.session.delete();
        return reply.redirect('/auth/signed-out', 303);
      }
      return reply.redirect(`/sessions?ended=${encodeURIComponent(user)}`, 303);
    },
  );
}
