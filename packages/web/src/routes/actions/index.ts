import { consoleMessagePath, type PushActionRefusal, PushActionRefusedError, TOKEN_PATTERN } from '@rez/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatTime } from '../../format';

/** Per client IP: a phone pressing buttons never comes near it; a script guessing links does. */
export const ACTION_RATE_LIMIT = { max: 20, timeWindow: '1 minute' };

/** The answer to each refusal: always a 4xx, and nothing changed. */
const STATUS: Record<PushActionRefusal, number> = {
  malformed: 400,
  tampered: 403,
  'wrong-stage': 403,
  expired: 410,
  used: 409,
  'missing-target': 404,
  'not-applicable': 409,
  disabled: 404,
};

const PARAMS = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', pattern: TOKEN_PATTERN } },
} as const;

/**
 * /actions/<token>: where a push's action buttons send the phone. The
 * signed one-time link is the credential — no session, no CSRF token (the
 * phone has neither) — so the routes sit outside the signed-in subtree,
 * are rate-limited per client IP, and do only what core's PushActions
 * allows. POST acts (ntfy's `http` action sends a POST, with whatever body
 * and content type: both are ignored). GET never acts — link previews and
 * prefetchers must not — it shows what the link would do, with a button
 * that POSTs it.
 */
export default async function actionRoutes(app: FastifyInstance) {
  const { pushActions } = app.rez;
  // The body is never read: a phone may send none, or any content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 4096 }, (_request, _body, done) =>
    done(null, undefined),
  );

  app.get<{ Params: { token: string } }>(
    '/:token',
    { config: { rateLimit: ACTION_RATE_LIMIT }, schema: { params: PARAMS } },
    async (request, reply) => {
      try {
        const preview = await pushActions.preview(request.params.token);
        return reply.page('action', {
          title: preview.description,
          token: request.params.token,
          preview,
          expires: formatTime(new Date(preview.claims.expiresAt)),
          targetPath: consoleMessagePath(preview.target.id),
        });
      } catch (error) {
        return refused(reply, error);
      }
    },
  );

  app.post<{ Params: { token: string } }>(
    '/:token',
    { config: { rateLimit: ACTION_RATE_LIMIT, csrf: false }, schema: { params: PARAMS } },
    async (request, reply) => {
      try {
        const result = await pushActions.redeem(request.params.token);
        request.log.info(
          {
            action: result.claims.action,
            target: result.target.id,
            push: result.claims.push,
            record: result.recordId,
          },
          'push action',
        );
        return reply.page('action', {
          title: 'Done',
          result,
          targetPath: consoleMessagePath(result.target.id),
        });
      } catch (error) {
        return refused(reply, error);
      }
    },
  );
}

function refused(reply: FastifyReply, error: unknown) {
  if (!(error instanceof PushActionRefusedError)) throw error;
  reply.request.log.warn({ refusal: error.refusal, reason: error.message }, 'push action refused');
  return reply.page(
    'error',
    { title: 'Push action refused', message: `${error.message}. Nothing was changed.` },
    STATUS[error.refusal],
  );
}
