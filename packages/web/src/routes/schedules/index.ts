import { consoleMessagePath, type UserSchedules, upcomingRuns, ValidationError } from '@rez/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatTime } from '../../format';
import { POST_RATE_LIMIT } from '../../plugins/external/rate-limit';
import { type FieldErrors, typeChoices } from '../messages/form';
import {
  formFromSchedule,
  SCHEDULE_FORM_SCHEMA,
  type ScheduleForm,
  scheduleErrorsFrom,
  scheduleFromForm,
} from './form';

/** The IANA zones the form suggests (the browser's datalist); the server checks whatever is typed. */
const TIME_ZONES = [
  'UTC',
  ...((Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? []),
].filter((zone, i, all) => all.indexOf(zone) === i);

/** EventBridge's three forms, for the browser to check as the expression is typed. */
const EXPRESSION_PATTERN =
  '(rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\)|cron\\(\\S+( \\S+){5}\\)|at\\(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\))';
// Escaped for the `v` flag browsers compile patterns with.
const TIME_ZONE_PATTERN = '[A-Za-z][A-Za-z0-9_+\\-\\/]{0,49}';

const NAME_PARAMS = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[0-9A-Za-z_.-]{1,64}$' } },
} as const;
const REVISION_BODY = {
  type: 'object',
  properties: {
    _csrf: { type: 'string', maxLength: 256 },
    revision: { type: 'string', maxLength: 64 },
  },
} as const;

type Named = { Params: { name: string } };

/**
 * /schedules: the built-in schedules (read-only) and the ones people
 * manage — list with next runs and last run, a form with a server-side
 * preview of the next five runs, pause/resume, run now, delete with a
 * confirmation, and repair of a change EventBridge did not finish.
 */
export default async function scheduleRoutes(app: FastifyInstance) {
  const { registry, store, clock, scheduleAnchor } = app.rez;
  const service = (reply: FastifyReply): UserSchedules | null => {
    if (app.rez.userSchedules) return app.rez.userSchedules;
    reply.page(
      'error',
      { title: 'Not available', message: 'This console manages no user schedules.', status: 404 },
      404,
    );
    return null;
  };
  const by = (request: FastifyRequest) => {
    const user = request.user;
    if (!user) throw new Error('guarded route reached without a user');
    return `web:${user.handle}`;
  };

  app.get<{ Querystring: { done?: string } }>(
    '/',
    {
      schema: {
        querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 200 } } },
      },
    },
    async (request, reply) => {
      const now = clock.now();
      const builtIn = await Promise.all(
        app.rez.schedules.map(async (schedule) => {
          const last = (await store.list({ created_by: `scheduler:${schedule.name}`, limit: 1 })).items[0];
          return {
            ...schedule,
            last: last ?? null,
            lastAt: formatTime(last?.created_date),
            next: upcomingRuns(schedule, now, 3, last ? new Date(last.created_date) : scheduleAnchor).map(
              (d) => formatTime(d),
            ),
          };
        }),
      );
      const users = app.rez.userSchedules ? await app.rez.userSchedules.list() : [];
      return reply.page('schedules', {
        title: 'Schedules',
        done: request.query.done,
        manages: app.rez.userSchedules !== undefined,
        limit: app.rez.userSchedules?.limit,
        builtIn,
        users: users.map((view) => ({
          ...view,
          next: view.next.map((d) => formatTime(d)),
          lastAt: formatTime(view.schedule.last_run?.at),
          pendingSince: formatTime(view.schedule.pending?.since),
          snoozedUntil:
            view.schedule.snoozed && Date.parse(view.schedule.snoozed.until) > app.rez.clock.now().getTime()
              ? formatTime(view.schedule.snoozed.until)
              : null,
        })),
      });
    },
  );

  app.get<{ Querystring: { type?: string } }>(
    '/new',
    {
      schema: {
        querystring: { type: 'object', properties: { type: { type: 'string', maxLength: 64 } } },
      },
    },
    async (request, reply) => {
      if (!service(reply)) return reply;
      // The type shown is the asked one when it is handled, else notify (typeChoices).
      const { type } = request.query;
      return renderForm(reply, { name: '', type, timezone: 'UTC', enabled: 'on' }, {}, null);
    },
  );

  app.post<{ Body: ScheduleForm }>(
    '/',
    {
      config: { rateLimit: POST_RATE_LIMIT },
      schema: { body: SCHEDULE_FORM_SCHEMA },
    },
    async (request, reply) => {
      const schedules = service(reply);
      if (!schedules) return reply;
      return submit(request, reply, schedules, null);
    },
  );

  app.get<Named & { Querystring: { type?: string } }>(
    '/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: { type: 'object', properties: { type: { type: 'string', maxLength: 64 } } },
      },
    },
    async (request, reply) => {
      const schedules = service(reply);
      if (!schedules) return reply;
      const view = await schedules.get(request.params.name);
      if (!view) return notFound(reply, request.params.name);
      const form = formFromSchedule(view.schedule);
      const type = request.query.type;
      if (type && type !== form.type && registry.has(type)) {
        for (const key of ['title', 'message', 'priority', 'tags', 'click', 'markdown', 'payload'] as const)
          delete form[key];
        form.type = type;
      }
      // One GetSchedule (on AWS), never a scan: what EventBridge holds, compared.
      const differences = await schedules.verify(view.schedule.name).catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not compare with EventBridge');
        return [`could not ask EventBridge: ${(error as Error).message}`];
      });
      return renderForm(reply, form, {}, view.schedule.name, { view, differences });
    },
  );

  app.post<Named & { Body: ScheduleForm }>(
    '/:name',
    {
      config: { rateLimit: POST_RATE_LIMIT },
      schema: { params: NAME_PARAMS, body: SCHEDULE_FORM_SCHEMA },
    },
    async (request, reply) => {
      const schedules = service(reply);
      if (!schedules) return reply;
      return submit(request, reply, schedules, request.params.name);
    },
  );

  for (const action of ['pause', 'resume', 'run', 'repair'] as const) {
    app.post<Named & { Body: { revision?: string } }>(
      `/:name/${action}`,
      {
        config: { rateLimit: POST_RATE_LIMIT },
        schema: { params: NAME_PARAMS, body: REVISION_BODY },
      },
      async (request, reply) => {
        const schedules = service(reply);
        if (!schedules) return reply;
        const { name } = request.params;
        try {
          let done: string;
          if (action === 'run') {
            const fired = await schedules.runNow(name, by(request));
            if (fired.outcome === 'refused')
              throw new ValidationError('run', [{ path: '', message: fired.reason }]);
            request.log.info(
              { schedule: name, id: fired.message.id, user: by(request) },
              'schedule run by hand',
            );
            return reply.redirect(consoleMessagePath(fired.message.id), 303);
          }
          if (action === 'repair') {
            await schedules.repair(name, by(request));
            done = `Repaired ${name}.`;
          } else {
            await schedules.setEnabled(name, action === 'resume', by(request));
            done = `${action === 'resume' ? 'Resumed' : 'Paused'} ${name}.`;
          }
          request.log.info({ schedule: name, action, user: by(request) }, 'schedule changed');
          return reply.redirect(`/schedules?${new URLSearchParams({ done }).toString()}`, 303);
        } catch (error) {
          return refused(reply, error, name);
        }
      },
    );
  }

  app.get<Named>('/:name/delete', { schema: { params: NAME_PARAMS } }, async (request, reply) => {
    const schedules = service(reply);
    if (!schedules) return reply;
    const view = await schedules.get(request.params.name);
    if (!view) return notFound(reply, request.params.name);
    return reply.page('schedule-delete', { title: `Delete ${view.schedule.name}`, schedule: view.schedule });
  });

  app.post<Named & { Body: { revision?: string } }>(
    '/:name/delete',
    {
      config: { rateLimit: POST_RATE_LIMIT },
      schema: { params: NAME_PARAMS, body: REVISION_BODY },
    },
    async (request, reply) => {
      const schedules = service(reply);
      if (!schedules) return reply;
      const { name } = request.params;
      try {
        await schedules.delete(name, by(request), request.body?.revision || undefined);
      } catch (error) {
        return refused(reply, error, name);
      }
      request.log.info({ schedule: name, user: by(request) }, 'schedule deleted');
      return reply.redirect(
        `/schedules?${new URLSearchParams({ done: `Deleted ${name}.` }).toString()}`,
        303,
      );
    },
  );

  async function submit(
    request: FastifyRequest<{ Body: ScheduleForm }>,
    reply: FastifyReply,
    schedules: UserSchedules,
    editing: string | null,
  ) {
    const form = { ...request.body, name: editing ?? request.body.name ?? '' };
    if (!registry.has(form.type)) {
      return renderForm(
        reply,
        form,
        { type: `unknown type; choose one of ${registry.types().join(', ')}` },
        editing,
        undefined,
        422,
      );
    }
    const { input, errors } = scheduleFromForm(form);
    if (!input) return renderForm(reply, form, errors, editing, undefined, 422);
    try {
      if (form.action === 'preview') {
        const { next } = schedules.preview(input, 5);
        return renderForm(reply, form, {}, editing, { preview: next.map((d) => formatTime(d)) });
      }
      const saved = editing
        ? await schedules.update(editing, input, by(request), form.revision || undefined)
        : await schedules.create(input, by(request));
      request.log.info({ schedule: saved.name, user: by(request) }, 'schedule saved');
      return reply.redirect(
        `/schedules?${new URLSearchParams({ done: `Saved ${saved.name}.` }).toString()}`,
        303,
      );
    } catch (error) {
      const mapped = scheduleErrorsFrom(error, form.type);
      if (!mapped) throw error;
      return renderForm(reply, form, mapped.errors, editing, undefined, mapped.status);
    }
  }

  function refused(reply: FastifyReply, error: unknown, name: string) {
    const mapped = scheduleErrorsFrom(error, '');
    if (!mapped) throw error;
    const message = Object.entries(mapped.errors)
      .map(([field, why]) => (field === '_form' ? why : `${field}: ${why}`))
      .join('; ');
    return reply.page(
      'error',
      { title: `Schedule ${name} not changed`, message, status: mapped.status },
      mapped.status,
    );
  }

  function notFound(reply: FastifyReply, name: string) {
    return reply.page('error', { title: 'Not found', message: `No user schedule named ${name}.` }, 404);
  }

  function renderForm(
    reply: FastifyReply,
    form: Partial<ScheduleForm>,
    errors: FieldErrors,
    editing: string | null,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    return reply.page(
      'schedule-form',
      {
        title: editing ? `Schedule ${editing}` : 'New schedule',
        editing,
        ...typeChoices(registry, form.type),
        form,
        errors,
        timeZones: TIME_ZONES,
        expressionPattern: EXPRESSION_PATTERN,
        timeZonePattern: TIME_ZONE_PATTERN,
        preview: null,
        view: null,
        differences: null,
        ...extra,
      },
      status,
    );
  }
}
