import type { FastifyInstance } from 'fastify';
import { formatTime } from '../../format';
import { POST_RATE_LIMIT } from '../../plugins/external/rate-limit';

const DLQ_PAGE = 100;

/** The message id inside a dead letter's body, when the body is a Rez message at all. */
function messageIdOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : null;
  } catch {
    return null;
  }
}

/** /failed: the dead-letter queue, with the store's reason and attempts, and redrive. */
export default async function failedRoutes(app: FastifyInstance) {
  const { queue, store } = app.rez;

  app.get<{ Querystring: { moved?: number; more?: boolean } }>(
    '/',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { moved: { type: 'integer', minimum: 0 }, more: { type: 'boolean' } },
        },
      },
    },
    async (request, reply) => {
      const letters = await queue.listDeadLetters({ limit: DLQ_PAGE });
      const rows = await Promise.all(
        letters.map(async (letter) => {
          const id = messageIdOf(letter.body);
          const record = id ? await store.get(id) : null;
          return {
            transportId: letter.transportId,
            id,
            record,
            type: record?.type ?? null,
            reason:
              record?.error?.reason ??
              (id ? 'no failure recorded in the store' : 'body is not a Rez message'),
            attempts: record?.attempts ?? letter.receiveCount,
            sentAt: formatTime(letter.sentAt),
            preview: id ? null : letter.body.slice(0, 200),
          };
        }),
      );
      return reply.page('failed', {
        title: 'Failed messages',
        rows,
        moved: request.query.moved,
        more: request.query.more === true,
        truncated: letters.length === DLQ_PAGE,
      });
    },
  );

  app.post<{ Body: { transportId?: string } }>(
    '/redrive',
    {
      config: { rateLimit: POST_RATE_LIMIT },
      schema: {
        body: {
          type: 'object',
          properties: {
            _csrf: { type: 'string', maxLength: 256 },
            transportId: { type: 'string', minLength: 1, maxLength: 256 },
          },
        },
      },
    },
    async (request, reply) => {
      const { transportId } = request.body ?? {};
      // Bounded on AWS (SqsQueue's redrive budget): `more` says the DLQ holds more than one call got through.
      const { moved, more } = await queue.redrive(transportId ? { transportIds: [transportId] } : undefined);
      request.log.info(
        { transportId: transportId ?? 'all', moved, more, user: request.user?.handle },
        'redrive',
      );
      return reply.redirect(`/failed?moved=${moved}${more ? '&more=true' : ''}`, 303);
    },
  );
}
