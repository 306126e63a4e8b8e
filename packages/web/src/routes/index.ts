import { nextRunAfter } from '@rez/core';
import type { FastifyInstance } from 'fastify';
import { buildChart } from '../dashboard/chart';
import { summarize, WINDOWS, type WindowName } from '../dashboard/summary';
import { formatAxisTime, formatTime } from '../format';

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

      const [buckets, depth, lastRuns] = await Promise.all([
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
      });
    },
  );
}
