import {
  consoleMessagePath,
  fieldsFromPayload,
  MESSAGE_STATUSES,
  type MessageRecord,
  PUSH_DIGEST_TYPE,
  RezError,
  replayMessage,
  STAGES,
  STORED_MESSAGE_ID_PATTERN,
  submitMessage,
} from '@rez/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatJson, formatTime } from '../../format';
import { POST_RATE_LIMIT } from '../../plugins/external/rate-limit';
import {
  type FieldErrors,
  formErrorsFrom,
  MESSAGE_FORM_SCHEMA,
  type MessageForm,
  payloadFromForm,
  typeChoices,
} from './form';

interface ListQuery {
  status?: string;
  type?: string;
  stage?: string;
  created_by?: string;
  cursor?: string;
  /** A digest push's message id: the messages it named (its "Open" button). */
  digest?: string;
}

/** A message page's id: any id a store hands out (a ULID, or a rejected input's invalid-<transport id>). */
const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: STORED_MESSAGE_ID_PATTERN } },
} as const;

// Filter forms submit empty fields; '' means "any".
const orEmpty = (values: readonly string[]) => ({ type: 'string', enum: ['', ...values] });

/** /messages: history, detail with lineage, and the form to send one by hand. */
export default async function messageRoutes(app: FastifyInstance) {
  const { store, registry } = app.rez;

  app.get<{ Querystring: ListQuery }>(
    '/',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            status: orEmpty(MESSAGE_STATUSES),
            stage: orEmpty(STAGES),
            type: { type: 'string', pattern: '^([a-z][a-z0-9_]{0,63})?$' },
            created_by: { type: 'string', maxLength: 200 },
            cursor: { type: 'string', maxLength: 512 },
            digest: { type: 'string', pattern: STORED_MESSAGE_ID_PATTERN },
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (q.digest) return digestPage(reply, q.digest);
      const filters = {
        status: q.status || undefined,
        type: q.type || undefined,
        stage: q.stage || undefined,
        created_by: q.created_by || undefined,
      };
      const page = await store.list({
        ...(filters as Parameters<typeof store.list>[0]),
        limit: 25,
        cursor: q.cursor || null,
      });
      const next = page.cursor
        ? `/messages?${new URLSearchParams({ ...stripEmpty(filters), cursor: page.cursor }).toString()}`
        : null;
      return reply.page('messages', {
        title: 'Messages',
        filters,
        statuses: MESSAGE_STATUSES,
        stages: STAGES,
        types: registry.types(),
        items: page.items.map((r) => ({ ...r, createdAt: formatTime(r.created_date) })),
        next,
        firstPage: !q.cursor,
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
      // The type shown is the asked one when it is handled, else notify (typeChoices).
      return renderForm(reply, { type: request.query.type }, {});
    },
  );

  app.post<{ Body: MessageForm }>(
    '/',
    {
      config: { rateLimit: POST_RATE_LIMIT },
      schema: { body: MESSAGE_FORM_SCHEMA },
    },
    async (request, reply) => {
      const form = request.body;
      if (!registry.has(form.type)) {
        return renderForm(
          reply,
          form,
          { type: `unknown type; choose one of ${registry.types().join(', ')}` },
          422,
        );
      }
      const { payload, errors } = payloadFromForm(form);
      if (!payload) return renderForm(reply, form, errors, 422);
      try {
        const user = request.user;
        if (!user) throw new Error('guarded route reached without a user');
        const message = await submitMessage(
          { type: form.type, payload, created_by: `web:${user.handle}`, stage: app.rez.stage },
          {
            ...app.rez,
            bus: app.rez.publisher,
            onError: (what, err) => request.log.warn({ err }, `could not write ${what}`),
          },
        );
        request.log.info(
          { id: message.id, type: message.type, user: user.handle },
          'message sent from console',
        );
        return reply.redirect(`/messages/${message.id}`, 303);
      } catch (error) {
        const mapped = formErrorsFrom(error, form.type);
        if (!mapped) throw error;
        return renderForm(reply, form, mapped.errors, mapped.status);
      }
    },
  );

  app.get<{ Params: { id: string } }>('/:id', { schema: { params: ID_PARAMS } }, async (request, reply) => {
    const record = await store.get(request.params.id);
    if (!record) {
      return reply.page(
        'error',
        { title: 'Not found', message: `No message with id ${request.params.id}.` },
        404,
      );
    }
    const [parent, children] = await Promise.all([
      record.causation_id ? store.get(record.causation_id) : null,
      store.children(record.id),
    ]);
    // A replay is caused by a person, not emitted by a handler: lineage shows the two apart.
    const emitted = children.filter((c) => c.created_by.startsWith('handler:'));
    const replays = children.filter((c) => !c.created_by.startsWith('handler:'));
    return reply.page('message', {
      title: `Message ${record.id}`,
      replayable: registry.has(record.type) && record.stage === app.rez.stage,
      replays,
      record,
      payloadJson: formatJson(record.payload),
      resultJson: record.result ? formatJson(record.result) : null,
      createdAt: formatTime(record.created_date),
      updatedAt: formatTime(record.updated_at),
      history: record.history.map((event) => ({ ...event, at: formatTime(event.at) })),
      parent,
      children: emitted,
    });
  });

  app.get<{ Params: { id: string } }>(
    '/:id/replay',
    { schema: { params: ID_PARAMS } },
    async (request, reply) => {
      const record = await store.get(request.params.id);
      if (!record || !registry.has(record.type)) return notReplayable(reply, request.params.id);
      const fields = fieldsFromPayload(record.type, record.payload);
      return renderForm(
        reply,
        { type: record.type, ...fields, markdown: fields.markdown ? 'on' : undefined },
        {},
        200,
        record,
      );
    },
  );

  app.post<{ Params: { id: string }; Body: MessageForm }>(
    '/:id/replay',
    {
      config: { rateLimit: POST_RATE_LIMIT },
      // The type is the original's: the form's own is not needed.
      schema: { params: ID_PARAMS, body: { ...MESSAGE_FORM_SCHEMA, required: [] } },
    },
    async (request, reply) => {
      const record = await store.get(request.params.id);
      if (!record || !registry.has(record.type)) return notReplayable(reply, request.params.id);
      const form = { ...request.body, type: record.type };
      const { payload, errors } = payloadFromForm(form);
      if (!payload) return renderForm(reply, form, errors, 422, record);
      try {
        const user = request.user;
        if (!user) throw new Error('guarded route reached without a user');
        const message = await replayMessage(
          record,
          { payload, created_by: `web:${user.handle}`, stage: app.rez.stage },
          { ...app.rez, bus: app.rez.publisher },
        );
        request.log.info({ id: message.id, replayOf: record.id, user: user.handle }, 'message replayed');
        return reply.redirect(consoleMessagePath(message.id), 303);
      } catch (error) {
        const mapped = formErrorsFrom(error, form.type);
        if (!mapped) {
          if (error instanceof RezError && error.permanent) {
            return renderForm(reply, form, { _form: error.message }, 422, record);
          }
          throw error;
        }
        return renderForm(reply, form, mapped.errors, mapped.status, record);
      }
    },
  );

  /** The messages one digest push named, in the history's own table (it names at most DIGEST_MAX_MESSAGES). */
  async function digestPage(reply: FastifyReply, id: string) {
    const digest = await store.get(id);
    const named = digest?.type === PUSH_DIGEST_TYPE ? digest.result?.messages : undefined;
    if (!digest || !Array.isArray(named)) {
      return reply.page('error', { title: 'Not found', message: `No digest push with id ${id}.` }, 404);
    }
    const records = await Promise.all(
      named.filter((m): m is string => typeof m === 'string').map((m) => store.get(m)),
    );
    return reply.page('messages', {
      title: `Messages in digest ${id}`,
      digest,
      filters: {},
      statuses: MESSAGE_STATUSES,
      stages: STAGES,
      types: registry.types(),
      items: records
        .filter((r): r is MessageRecord => r !== null)
        .map((r) => ({ ...r, createdAt: formatTime(r.created_date) })),
      next: null,
      firstPage: true,
    });
  }

  function notReplayable(reply: FastifyReply, id: string) {
    return reply.page(
      'error',
      { title: 'Not found', message: `No message with id ${id} that could be sent again.` },
      404,
    );
  }

  function renderForm(
    reply: FastifyReply,
    form: Partial<MessageForm>,
    errors: FieldErrors,
    status = 200,
    replayOf: MessageRecord | null = null,
  ) {
    return reply.page(
      'new-message',
      {
        title: replayOf ? `Send ${replayOf.id} again` : 'New message',
        replayOf,
        ...typeChoices(registry, form.type),
        form,
        errors,
      },
      status,
    );
  }
}

function stripEmpty(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v)) as Record<string, string>;
}
