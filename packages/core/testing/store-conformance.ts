import {
  COUNT_BUCKET_MS,
  consoleSessionLive,
  encodeListCursor,
  MAX_REVOKED_SESSIONS,
  MessageNotStoredError,
  type MessageStore,
  ValidationError,
} from '../src';
import { sampleMessage } from './fixtures';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;

/**
 * Cursors no store handed out: each must be refused the same way by every
 * store (`text` base64url-encodes a string, as stores do).
 */
export const BAD_CURSORS = (text: (key: string) => string): string[] => [
  'garbage',
  '../../etc/passwd',
  '%ZZ',
  'a b',
  '\u0000',
  '😀',
  'x'.repeat(513),
  text('not a position'),
  text('2026-03-01T10:00:00.000Z'),
  text('2026-03-01T10:00:00.000Z#'),
  text('2026-03-01T10:00:00.000Z#../../x'),
  text('2026-03-01T10:00:00.000Z#01JQ0000000000000000000000\n'),
  text('2026-02-30T10:00:00.000Z#01JQ0000000000000000000000'),
  text("2026-03-01T10:00:00.000Z#01JQ' OR '1'='1"),
  text(`2026-03-01T10:00:00.000Z#invalid-${'x'.repeat(129)}`),
  `${text('2026-03-01T10:00:00.000Z#01JQ0000000000000000000000')}=`,
  Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url'),
];

/**
 * The MessageStore contract. Every adapter runs it:
 *
 *   describeMessageStoreConformance('SQLite', async () => ({ store, close }));
 *
 * `create` must return an empty store (or one no other test touches).
 */
export function describeMessageStoreConformance(
  name: string,
  create: () => Promise<{ store: MessageStore; close?: () => Promise<void> | void }>,
): void {
  describe(`MessageStore conformance: ${name}`, () => {
    let store: MessageStore;
    let close: (() => Promise<void> | void) | undefined;

    beforeEach(async () => {
      ({ store, close } = await create());
    });
    afterEach(async () => {
      await close?.();
    });

    describe('Method: put / get', () => {
      it('records a new message as queued with its metadata', async () => {
        const message = sampleMessage({ type: 'notify', payload: { message: 'hi', priority: 4 } });
        await expect(store.put(message, T0)).resolves.toBe(true);
        const record = await store.get(message.id);
        expect(record).toMatchObject({
          id: message.id,
          type: 'notify',
          stage: 'dev',
          created_by: 'test',
          created_date: message.metadata.created_date,
          correlation_id: message.id,
          causation_id: null,
          hop: 0,
          payload: { message: 'hi', priority: 4 },
          status: 'queued',
          attempts: 0,
          error: null,
          ntfy_id: null,
        });
        expect(record?.history).toEqual([{ status: 'queued', at: T0.toISOString() }]);
      });

      it('keeps the first copy when the same id is put twice', async () => {
        const message = sampleMessage();
        await store.put(message, T0);
        await expect(store.put({ ...message, payload: { message: 'other' } }, at(1000))).resolves.toBe(false);
        expect((await store.get(message.id))?.payload).toEqual({ message: 'hello' });
      });

      it('answers null for an unknown id', async () => {
        await expect(store.get('01JNOTSTORED0000000000000X')).resolves.toBeNull();
      });
    });

    describe('Method: claim / complete / fail', () => {
      it('records and claims a message it has never seen', async () => {
        const message = sampleMessage();
        await expect(store.claim(message, { now: T0, leaseMs: LEASE })).resolves.toStrictEqual({
          outcome: 'claimed',
        });
        const record = await store.get(message.id);
        expect(record).toMatchObject({ status: 'processing', attempts: 1 });
        expect(record?.history.map((h) => h.status)).toEqual(['queued', 'processing']);
      });

      it('claims a queued message as claimed, not reclaimed', async () => {
        const message = sampleMessage();
        await store.put(message, T0);
        await expect(store.claim(message, { now: at(5), leaseMs: LEASE })).resolves.toStrictEqual({
          outcome: 'claimed',
        });
      });

      it('refuses a second claim while the lease holds, and reclaims once it lapsed, saying when the interrupted attempt began', async () => {
        const message = sampleMessage();
        await store.claim(message, { now: T0, leaseMs: LEASE });
        await expect(store.claim(message, { now: at(LEASE - 1), leaseMs: LEASE })).resolves.toStrictEqual({
          outcome: 'busy',
        });
        await expect(store.claim(message, { now: at(LEASE + 1), leaseMs: LEASE })).resolves.toStrictEqual({
          outcome: 'reclaimed',
          interruptedAt: T0,
        });
        const record = await store.get(message.id);
        expect(record).toMatchObject({ status: 'processing', attempts: 2 });
        expect(record?.history.map((h) => h.status)).toEqual(['queued', 'processing', 'processing']);
      });

      it('reports the first of several interrupted attempts in a row', async () => {
        const message = sampleMessage();
        await store.claim(message, { now: T0, leaseMs: LEASE });
        await store.claim(message, { now: at(2 * LEASE), leaseMs: LEASE });
        await expect(store.claim(message, { now: at(4 * LEASE), leaseMs: LEASE })).resolves.toStrictEqual({
          outcome: 'reclaimed',
          interruptedAt: T0,
        });
      });

      it('reports only the attempts since the last clean failure as interrupted', async () => {
        const message = sampleMessage();
        await store.claim(message, { now: T0, leaseMs: LEASE });
        await store.fail(message.id, { now: at(10), error: { code: 'X', reason: 'x', permanent: false } });
        await store.claim(message, { now: at(1000), leaseMs: LEASE });
        await expect(
          store.claim(message, { now: at(1000 + LEASE + 1), leaseMs: LEASE }),
        ).resolves.toStrictEqual({ outcome: 'reclaimed', interruptedAt: at(1000) });
      });

      it('reclaims after a failure recorded unresolved, from the start of the unfinished work', async () => {
        const message = sampleMessage();
        const error = { code: 'NTFY_UNAVAILABLE', reason: 'lookup failed', permanent: false };
        await store.claim(message, { now: T0, leaseMs: LEASE });
        await store.claim(message, { now: at(LEASE + 1), leaseMs: LEASE }); // T0's attempt was interrupted
        await store.fail(message.id, { now: at(LEASE + 10), error, unresolved: true });
        const failed = await store.get(message.id);
        expect(failed).toMatchObject({ status: 'failed', attempts: 2, error });
        expect(failed?.history.at(-1)).toEqual({
          status: 'failed',
          at: at(LEASE + 10).toISOString(),
          attempt: 2,
          reason: 'lookup failed',
          unresolved: true,
        });
        await expect(store.claim(message, { now: at(LEASE + 20), leaseMs: LEASE })).resolves.toStrictEqual({
          outcome: 'reclaimed',
          interruptedAt: T0,
        });
        expect((await store.get(message.id))?.attempts).toBe(3);
      });

      it('completes with the result and the ntfy id, after which claims answer completed', async () => {
        const message = sampleMessage();
        await store.claim(message, { now: T0, leaseMs: LEASE });
        await store.complete(message.id, { now: at(10), result: { ntfy_id: 'abc123', truncated: false } });
        const record = await store.get(message.id);
        expect(record).toMatchObject({
          status: 'completed',
          ntfy_id: 'abc123',
          result: { ntfy_id: 'abc123', truncated: false },
          lease_until: null,
        });
        expect(record?.history.map((h) => h.status)).toEqual(['queued', 'processing', 'completed']);
        await expect(store.claim(message, { now: at(20), leaseMs: LEASE })).resolves.toStrictEqual({
          outcome: 'completed',
        });
        expect((await store.get(message.id))?.attempts).toBe(1);
      });

      it('records the children a message emitted', async () => {
        const message = sampleMessage();
        await store.claim(message, { now: T0, leaseMs: LEASE });
        await store.complete(message.id, { now: at(5), result: { emitted: 2 }, children: ['A', 'B'] });
        expect((await store.get(message.id))?.children).toEqual(['A', 'B']);
      });

      it('records a failure with its reason, and a failed message is claimed again (not reclaimed)', async () => {
        const message = sampleMessage();
        await store.claim(message, { now: T0, leaseMs: LEASE });
        const error = { code: 'NTFY_UNAVAILABLE', reason: 'ntfy server error 502', permanent: false };
        await store.fail(message.id, { now: at(10), error });
        const failed = await store.get(message.id);
        expect(failed).toMatchObject({ status: 'failed', attempts: 1, error, lease_until: null });
        expect(failed?.history.at(-1)).toEqual({
          status: 'failed',
          at: at(10).toISOString(),
          attempt: 1,
          reason: 'ntfy server error 502',
        });
        await expect(store.claim(message, { now: at(20), leaseMs: LEASE })).resolves.toStrictEqual({
          outcome: 'claimed',
        });
        expect((await store.get(message.id))?.attempts).toBe(2);
      });

      it('holds a push for a digest: claims then answer completed, and the digest completes it', async () => {
        const message = sampleMessage();
        await store.claim(message, { now: T0, leaseMs: LEASE });
        await store.hold(message.id, { now: at(10), reason: 'held for the next digest: budget short' });
        const held = await store.get(message.id);
        expect(held).toMatchObject({ status: 'held', attempts: 1, lease_until: null, error: null });
        expect(held?.history.at(-1)).toEqual({
          status: 'held',
          at: at(10).toISOString(),
          attempt: 1,
          reason: 'held for the next digest: budget short',
        });
        expect((await store.list({ status: 'held' })).items.map((r) => r.id)).toEqual([message.id]);
        await expect(store.claim(message, { now: at(20), leaseMs: LEASE })).resolves.toStrictEqual({
          outcome: 'completed',
        });
        await store.complete(message.id, { now: at(30), result: { held: true, digest: 'D', ntfy_id: 'n1' } });
        expect(await store.get(message.id)).toMatchObject({
          status: 'completed',
          ntfy_id: 'n1',
          attempts: 1,
        });
        expect((await store.list({ status: 'held' })).items).toEqual([]);
      });

      it('notes what was done to a message on its lifecycle, leaving status and attempts alone', async () => {
        const message = sampleMessage();
        await store.claim(message, { now: T0, leaseMs: LEASE });
        await store.complete(message.id, { now: at(5), result: {} });
        await store.note(message.id, { now: at(10), by: 'push-action:acknowledge', reason: 'acknowledged' });
        const record = await store.get(message.id);
        expect(record).toMatchObject({ status: 'completed', attempts: 1 });
        expect(record?.history.at(-1)).toEqual({
          status: 'completed',
          at: at(10).toISOString(),
          reason: 'acknowledged',
          by: 'push-action:acknowledge',
        });
      });

      it('refuses to complete, fail, hold or note a message it does not hold: MessageNotStoredError naming the id and the operation', async () => {
        const id = '01JNOTSTORED0000000000000X';
        const error = { code: 'X', reason: 'x', permanent: false };
        for (const [operation, act] of [
          ['complete', () => store.complete(id, { now: T0, result: {} })],
          ['fail', () => store.fail(id, { now: T0, error })],
          ['hold', () => store.hold(id, { now: T0, reason: 'x' })],
          ['note', () => store.note(id, { now: T0, by: 'x', reason: 'x' })],
        ] as const) {
          const thrown = await act().then(
            () => new Error(`${operation} of an unknown id resolved`),
            (e: unknown) => e,
          );
          expect(thrown).toBeInstanceOf(MessageNotStoredError);
          expect(thrown).toMatchObject({
            code: 'MESSAGE_NOT_STORED',
            permanent: true,
            messageId: id,
            operation,
            message: `cannot ${operation} message ${id}: it is not in the message store`,
          });
        }
        await expect(store.get(id)).resolves.toBeNull();
      });
    });

    describe('Method: reject', () => {
      it('records undecodable input as failed with its raw body, counting attempts', async () => {
        const error = {
          code: 'VALIDATION_FAILED',
          reason: 'invalid message: body is not JSON',
          permanent: true,
        };
        const id = 'invalid-9a1b2c3d';
        await store.reject({ id, raw: 'Test message.', stage: 'dev', now: T0, error });
        await store.reject({ id, raw: 'Test message.', stage: 'dev', now: at(1000), error });
        const record = await store.get(id);
        expect(record).toMatchObject({
          id,
          type: 'invalid',
          status: 'failed',
          raw: 'Test message.',
          attempts: 2,
          error,
        });
        const failed = await store.list({ status: 'failed', stage: 'dev' });
        expect(failed.items.map((r) => r.id)).toContain(id);
      });
    });

    describe('Method: list', () => {
      it('pages newest first through every match exactly once', async () => {
        const messages = Array.from({ length: 23 }, (_, i) =>
          sampleMessage({ at: at(i * 1000).toISOString(), type: i % 2 ? 'notify' : 'hello_world' }),
        );
        for (const m of messages) await store.put(m, T0);
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.list({ stage: 'dev', limit: 5, cursor });
          expect(page.items.length).toBeLessThanOrEqual(5);
          seen.push(...page.items.map((r) => r.id));
          cursor = page.cursor;
          pages++;
        } while (cursor && pages < 20);
        expect(seen).toEqual(messages.map((m) => m.id).reverse());
        expect(pages).toBe(5);
      });

      it('refuses a cursor it did not hand out with a ValidationError on `cursor`, whatever the cursor holds', async () => {
        await store.put(sampleMessage({ at: at(1).toISOString() }), T0);
        const text = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
        for (const cursor of BAD_CURSORS(text)) {
          const thrown = await store.list({ limit: 5, cursor }).then(
            () => new Error(`list with cursor ${JSON.stringify(cursor.slice(0, 60))} resolved`),
            (e: unknown) => e,
          );
          expect(thrown).toBeInstanceOf(ValidationError);
          expect((thrown as ValidationError).issues).toEqual([
            { path: 'cursor', message: expect.stringContaining('is not a cursor this store handed out') },
          ]);
        }
      });

      it('takes back a well-formed cursor for a position it never handed out (a record since deleted)', async () => {
        const older = sampleMessage({ at: at(1).toISOString() });
        await store.put(older, T0);
        await store.put(sampleMessage({ at: at(5).toISOString() }), T0);
        const between = encodeListCursor({
          created_date: at(3).toISOString(),
          id: '01JQ0000000000000000000000',
        });
        expect((await store.list({ cursor: between })).items.map((r) => r.id)).toEqual([older.id]);
      });

      it('filters by status, type, stage and created_by, alone and together', async () => {
        const a = sampleMessage({ at: at(1).toISOString(), type: 'notify' });
        const b = sampleMessage({ at: at(2).toISOString(), type: 'hello_world' });
        const c = sampleMessage({ at: at(3).toISOString(), type: 'notify', stage: 'prod' });
        const d = sampleMessage({
          at: at(4).toISOString(),
          type: 'notify',
          metadata: { created_date: at(4).toISOString(), created_by: 'web:ana', stage: 'dev' },
        });
        for (const m of [a, b, c, d]) await store.put(m, T0);
        await store.claim(a, { now: T0, leaseMs: LEASE });
        await store.complete(a.id, { now: T0, result: {} });

        const ids = async (q: Parameters<MessageStore['list']>[0]) =>
          (await store.list(q)).items.map((r) => r.id);
        expect(await ids({ stage: 'dev' })).toEqual([d.id, b.id, a.id]);
        expect(await ids({ stage: 'prod' })).toEqual([c.id]);
        expect(await ids({ status: 'completed' })).toEqual([a.id]);
        expect(await ids({ type: 'notify' })).toEqual([d.id, c.id, a.id]);
        expect(await ids({ type: 'notify', stage: 'dev', status: 'queued' })).toEqual([d.id]);
        expect(await ids({ created_by: 'web:ana' })).toEqual([d.id]);
        expect(await ids({ status: 'failed' })).toEqual([]);
      });
    });

    describe('Method: children', () => {
      it('lists the messages a message caused, oldest first', async () => {
        const parent = sampleMessage({ at: at(0).toISOString(), type: 'hello_world', payload: {} });
        const first = sampleMessage({
          at: at(1).toISOString(),
          causation_id: parent.id,
          correlation_id: parent.id,
          hop: 1,
        });
        const second = sampleMessage({
          at: at(2).toISOString(),
          causation_id: parent.id,
          correlation_id: parent.id,
          hop: 1,
        });
        const unrelated = sampleMessage({ at: at(3).toISOString() });
        for (const m of [parent, second, first, unrelated]) await store.put(m, T0);
        expect((await store.children(parent.id)).map((r) => r.id)).toEqual([first.id, second.id]);
        expect(await store.children(unrelated.id)).toEqual([]);
      });
    });

    describe('Methods: consoleSessionState / revokeConsoleSession / endConsoleSessions', () => {
      const HOUR = 3_600_000;
      const session = (id: string, hours = 12) => ({ id, expiresAt: T0.getTime() + hours * HOUR });

      it('knows nothing of a user never signed out: epoch 0, nothing revoked', async () => {
        await expect(store.consoleSessionState('ana@example.com')).resolves.toEqual({
          epoch: 0,
          revoked: {},
        });
      });

      it('ends one session at sign-out and leaves the user’s others alone', async () => {
        await store.revokeConsoleSession('ana@example.com', session('s1'), T0);
        const state = await store.consoleSessionState('ana@example.com');
        expect(state).toEqual({ epoch: 0, revoked: { s1: T0.getTime() + 12 * HOUR } });
        expect(consoleSessionLive(state, { id: 's1', epoch: 0 })).toBe(false);
        expect(consoleSessionLive(state, { id: 's2', epoch: 0 })).toBe(true);
      });

      it('forgets sign-outs of sessions that have expired anyway, at the next sign-out', async () => {
        await store.revokeConsoleSession('ana@example.com', session('short', 1), T0);
        await store.revokeConsoleSession('ana@example.com', session('long', 12), T0);
        await store.revokeConsoleSession('ana@example.com', session('later', 12), at(2 * HOUR));
        expect(Object.keys((await store.consoleSessionState('ana@example.com')).revoked).sort()).toEqual([
          'later',
          'long',
        ]);
      });

      it('ends every session of one user with a new epoch, and only that user’s', async () => {
        await store.revokeConsoleSession('ana@example.com', session('s1'), T0);
        await expect(store.endConsoleSessions('ana@example.com')).resolves.toBe(1);
        await expect(store.endConsoleSessions('ana@example.com')).resolves.toBe(2);
        await expect(store.endConsoleSessions('octocat')).resolves.toBe(1);
        expect(await store.consoleSessionState('ana@example.com')).toEqual({ epoch: 2, revoked: {} });
        expect(await store.consoleSessionState('bob@example.com')).toEqual({ epoch: 0, revoked: {} });
        await store.revokeConsoleSession('ana@example.com', session('s3'), T0);
        expect((await store.consoleSessionState('ana@example.com')).epoch).toBe(2);
      });

      it('ends all of a user’s sessions rather than remember more than MAX_REVOKED_SESSIONS sign-outs', async () => {
        for (let i = 0; i <= MAX_REVOKED_SESSIONS; i++)
          await store.revokeConsoleSession('ana@example.com', session(`s${i}`), T0);
        expect(await store.consoleSessionState('ana@example.com')).toEqual({ epoch: 1, revoked: {} });
      });

      it('keeps users apart whatever their names hold', async () => {
        const names = [
          'a#b@example.com',
          'a',
          'A',
          'msg#01JQ0000000000000000000000',
          'ke\u212Ate',
          '名@例え.jp',
        ];
        for (const [i, name] of names.entries()) {
          for (let n = 0; n <= i; n++) await store.endConsoleSessions(name);
        }
        for (const [i, name] of names.entries())
          expect({ name, epoch: (await store.consoleSessionState(name)).epoch }).toEqual({
            name,
            epoch: i + 1,
          });
      });
    });

    describe('Method: counts', () => {
      it('counts created, completed and failed per bucket, stage and type in the window', async () => {
        const one = sampleMessage({ type: 'notify' });
        const two = sampleMessage({ type: 'notify' });
        const three = sampleMessage({ type: 'hello_world', payload: {}, stage: 'prod' });
        await store.put(one, T0);
        await store.put(two, T0);
        await store.put(three, T0);
        await store.claim(one, { now: at(1000), leaseMs: LEASE });
        await store.complete(one.id, { now: at(2000), result: {} });
        await store.claim(two, { now: at(COUNT_BUCKET_MS), leaseMs: LEASE });
        await store.fail(two.id, {
          now: at(COUNT_BUCKET_MS + 1),
          error: { code: 'X', reason: 'x', permanent: false },
        });

        const all = await store.counts({ since: T0, until: at(2 * COUNT_BUCKET_MS) });
        const b0 = T0.toISOString();
        const b1 = at(COUNT_BUCKET_MS).toISOString();
        expect(all).toEqual(
          expect.arrayContaining([
            { bucket: b0, stage: 'dev', type: 'notify', created: 2, completed: 1, failed: 0 },
            { bucket: b0, stage: 'prod', type: 'hello_world', created: 1, completed: 0, failed: 0 },
            { bucket: b1, stage: 'dev', type: 'notify', created: 0, completed: 0, failed: 1 },
          ]),
        );
        expect(all).toHaveLength(3);

        const prodOnly = await store.counts({ since: T0, until: at(2 * COUNT_BUCKET_MS), stage: 'prod' });
        expect(prodOnly.map((b) => b.stage)).toEqual(['prod']);
        const laterOnly = await store.counts({ since: at(COUNT_BUCKET_MS), until: at(2 * COUNT_BUCKET_MS) });
        expect(laterOnly).toEqual([
          { bucket: b1, stage: 'dev', type: 'notify', created: 0, completed: 0, failed: 1 },
        ]);
      });
    });
  });
}
