import { nextRunAfter } from '@rez/core';
import type { FastifyInstance } from 'fastify';
import { buildChart } from '../dashboard/chart';
import { summarize, WINDOWS, type WindowName } from '../dashboard/summary';
import { formatAxisTime, formatTime } from '../format';
import type { ConsoleServices } from '../plugins/app/services';

/** GET /: the dashboard. Counts come from the metrics source, never from a scan of the store. */
export default async function dashboardRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { window?: WindowName } }>(
    '/',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { window: { type: 'string', enum: Object.keys(WINDOWS) } },
        },
      },
    },
    async (request, reply) => {
      const { clock, metrics, queue, store, schedules, scheduleAnchor } = app.rez;
      const windowName = request.query.window ?? '24h';
      const { ms, periodSeconds } = WINDOWS[windowName];
      const until = clock.now();
      const since = new Date(until.getTime() - ms);

      const [buckets, depth, lastRuns, push] = await Promise.all([
        metrics.counts({ since, until, periodSeconds }),
        // A queue the console cannot read should not take the whole dashboard down.
        queue.depth().catch((error: unknown) => {
          request.log.warn({ err: error }, 'queue depth unavailable');
          return null;
        }),
        Promise.all(
          schedules.map(async (schedule) => {
            const page = await store.list({ created_by: `scheduler:${schedule.name}`, limit: 1 });
            return page.items[0] ?? null;
          }),
        ),
        pushPanel(app.rez).catch((error: unknown) => {
          request.log.warn({ err: error }, 'push panel unavailable');
          return null;
        }),
      ]);
      const summary = summarize(buckets, { since, until, periodSeconds });
      const chart = buildChart(summary.series, (d) => formatAxisTime(d, ms));
      return reply.page('dashboard', {
        title: 'Dashboard',
        windowName,
        windows: Object.keys(WINDOWS),
        summary,
        chart,
        depth,
        schedules: schedules.map((schedule, i) => ({
          name: schedule.name,
          description: schedule.description,
          expression: schedule.expression,
          last: lastRuns[i],
          lastAt: formatTime(lastRuns[i]?.created_date),
          // A rate() schedule fires every period from its last run; before any run, from the anchor.
          next: formatTime(
            nextRunAfter(schedule, until, lastRuns[i] ? new Date(lastRuns[i].created_date) : scheduleAnchor),
          ),
        })),
        since: formatTime(since),
        until: formatTime(until),
        push,
      });
    },
  );
}

/** Most held messages the dashboard counts exactly (one page of the status index). */
const HELD_PAGE = 100;

/**
 * Today's ntfy quota use, what is held for the next digest, and the
 * acknowledged alarms: one read of the budget, one page of held messages,
 * one query of acknowledgements. Null without push state.
 */
async function pushPanel(rez: ConsoleServices) {
  const state = rez.push?.state;
  if (!state) return null;
  const [usage, held, acknowledged] = await Promise.all([
    rez.pushBudget?.usage() ?? null,
    rez.store.list({ status: 'held', limit: HELD_PAGE }),
    state.alarmAcknowledgements(),
  ]);
  return {
    usage,
    held: held.items.length,
    heldMore: held.cursor !== null,
    heldSince: formatTime(held.items.at(-1)?.created_date),
    acknowledged: acknowledged.map((ack) => ({ ...ack, when: formatTime(ack.at) })),
  };
}
