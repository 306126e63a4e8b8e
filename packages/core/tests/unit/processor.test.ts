import {
  builtInRegistry,
  childId,
  createMessage,
  defineHandler,
  emit,
  HopLimitExceededError,
  type Message,
  manualClock,
  NtfyError,
  type ProcessorDeps,
  processMessage,
  RECOVERY_CLOCK_SKEW_MS,
  StageMismatchError,
  ulidGenerator,
} from '@rez/core';
import { InMemoryMessageStore, RecordingNotifier, RecordingPublisher } from '@rez/core/testing';
import * as v from 'valibot';

function setup(overrides: Pick<Partial<ProcessorDeps>, 'registry' | 'hopLimit' | 'leaseMs'> = {}) {
  const deps = {
    registry: builtInRegistry(),
    store: new InMemoryMessageStore(),
    bus: new RecordingPublisher(),
    notifier: new RecordingNotifier(),
    clock: manualClock('2026-02-01T00:00:00.000Z'),
    stage: 'dev' as const,
    ...overrides,
  };
  const make = (type: string, payload: Record<string, unknown>, stage: 'dev' | 'prod' = 'dev') =>
    createMessage({ type, payload, created_by: 'test', stage }, { ...deps, ids: ulidGenerator() });
  return { deps, make };
}

describe('Function: processMessage', () => {
  it('delivers a notify message and completes with the ntfy id', async () => {
    const { deps, make } = setup();
    const message = make('notify', {
      message: 'disk 91% full',
      title: 'disk',
      priority: 4,
      tags: ['warning'],
    });

    const result = await processMessage(message, deps);

    expect(result).toEqual({ status: 'completed', result: { ntfy_id: 'n1', truncated: false } });
    expect(deps.notifier.sent).toEqual([
      { message: 'disk 91% full', title: 'disk', priority: 4, tags: ['warning'] },
    ]);
    const record = await deps.store.get(message.id);
    expect(record).toMatchObject({ status: 'completed', ntfy_id: 'n1', attempts: 1 });
    expect(record?.history.map((h) => h.status)).toEqual(['queued', 'processing', 'completed']);
  });

  it('routes hello_world to an emitted notify that carries the metadata, causation and hop', async () => {
    const { deps, make } = setup();
    const root = make('hello_world', {});

    const result = await processMessage(root, deps);

    expect(result).toEqual({ status: 'emitted', children: [childId(root.id, 0)] });
    const [child] = deps.bus.published;
    expect(child).toMatchObject({
      id: childId(root.id, 0),
      type: 'notify',
      correlation_id: root.id,
      causation_id: root.id,
      hop: 1,
      metadata: { created_by: 'handler:hello_world', stage: 'dev' },
    });
    expect(child.payload.message).toBe(
      `hello world\ncreated_date: ${root.metadata.created_date}\ncreated_by: test\nstage: dev`,
    );
    expect(await deps.store.get(child.id)).toMatchObject({ status: 'queued', causation_id: root.id });
    expect(await deps.store.get(root.id)).toMatchObject({ status: 'completed', children: [child.id] });
    expect(deps.notifier.sent).toEqual([]);
  });

  it('treats a redelivered completed message as a duplicate: no second push', async () => {
    const { deps, make } = setup();
    const message = make('notify', { message: 'once' });
    await processMessage(message, deps);

    await expect(processMessage(message, deps)).resolves.toEqual({ status: 'duplicate' });
    expect(deps.notifier.sent).toHaveLength(1);
  });

  it('re-emits the same child ids when a parent is retried, so children stay idempotent', async () => {
    const { deps, make } = setup();
    const root = make('hello_world', {});
    deps.bus.failWith = new Error('SNS unavailable');
    await expect(processMessage(root, deps)).rejects.toThrow('SNS unavailable');
    expect(await deps.store.get(root.id)).toMatchObject({
      status: 'failed',
      error: { reason: 'Error: SNS unavailable' },
    });

    deps.bus.failWith = undefined;
    const retry = await processMessage(root, deps);
    expect(retry).toEqual({ status: 'emitted', children: [childId(root.id, 0)] });
    expect(deps.bus.published.map((m) => m.id)).toEqual([childId(root.id, 0)]);
  });

  it('stops a handler loop at the hop limit with a clear failure', async () => {
    const loop = defineHandler({
      type: 'loop',
      description: 'emits itself',
      payloadSchema: v.object({}),
      handle: async () => emit({ type: 'loop', payload: {} }),
    });
    const { deps, make } = setup({ registry: builtInRegistry().register(loop), hopLimit: 3 });
    let message: Message = make('loop', {});
    const hops: number[] = [];
    for (;;) {
      try {
        await processMessage(message, deps);
      } catch (error) {
        expect(error).toBeInstanceOf(HopLimitExceededError);
        expect((error as Error).message).toMatch(/at hop 3 would emit at hop 4, over the limit of 3/);
        break;
      }
      hops.push(message.hop);
      message = deps.bus.published.at(-1) as Message;
    }
    expect(hops).toEqual([0, 1, 2]);
    expect(await deps.store.get(message.id)).toMatchObject({
      status: 'failed',
      error: { code: 'HOP_LIMIT_EXCEEDED', permanent: true },
    });
  });

  it('refuses a message for another stage, with the reason in the store', async () => {
    const { deps, make } = setup();
    const message = make('notify', { message: 'prod only' }, 'prod');

    await expect(processMessage(message, deps)).rejects.toThrow(StageMismatchError);
    expect(deps.notifier.sent).toEqual([]);
    expect(await deps.store.get(message.id)).toMatchObject({
      status: 'failed',
      error: {
        code: 'STAGE_MISMATCH',
        reason: expect.stringContaining('"prod" but this worker serves stage "dev"'),
      },
    });
  });

  it('records a transient ntfy failure and succeeds on the next attempt', async () => {
    const { deps, make } = setup();
    deps.notifier.errors.push(
      new NtfyError('ntfy server error 502: bad gateway', 'transient', { status: 502 }),
    );
    const message = make('notify', { message: 'retry me' });

    await expect(processMessage(message, deps)).rejects.toThrow('502');
    expect(await deps.store.get(message.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { permanent: false },
    });
    await expect(processMessage(message, deps)).resolves.toMatchObject({ status: 'completed' });
    expect(await deps.store.get(message.id)).toMatchObject({ status: 'completed', attempts: 2 });
  });

  it('answers busy while another delivery holds the message', async () => {
    const { deps, make } = setup();
    const message = make('notify', { message: 'x' });
    await deps.store.claim(message, { now: deps.clock.now(), leaseMs: 60_000 });

    await expect(processMessage(message, deps)).rejects.toThrow(/being processed by another delivery/);
    expect(deps.notifier.sent).toEqual([]);
  });

  it('fails an invalid payload with the field named', async () => {
    const { deps, make } = setup();
    const message = { ...make('notify', { message: 'x' }), payload: { message: 'x', priority: 7 } };

    await expect(processMessage(message, deps)).rejects.toThrow(
      'invalid notify payload: payload.priority: must be 1 to 5',
    );
  });

  describe('recovery of an interrupted attempt', () => {
    const LEASE = 60_000;

    /** An attempt that claimed the message at the clock's current time and died without recording anything. */
    async function interrupted(deps: ReturnType<typeof setup>['deps'], message: Message) {
      const startedAt = deps.clock.now();
      await deps.store.claim(message, { now: startedAt, leaseMs: LEASE });
      deps.clock.advance(LEASE + 1);
      return startedAt;
    }

    it('finds the push the interrupted attempt made and completes with its id instead of pushing again', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      const message = make('notify', { message: 'disk 91% full', title: 'disk' });
      // The interrupted attempt got its push accepted (n1) and died before recording it.
      await deps.notifier.publish({ message: 'disk 91% full', title: 'disk' });
      const startedAt = await interrupted(deps, message);

      const result = await processMessage(message, deps);

      expect(result).toEqual({
        status: 'completed',
        result: { ntfy_id: 'n1', truncated: false, recovered: true },
      });
      expect(deps.notifier.sent).toHaveLength(1);
      expect(deps.notifier.lookups).toHaveLength(1);
      expect(deps.notifier.lookups[0].since).toEqual(new Date(startedAt.getTime() - RECOVERY_CLOCK_SKEW_MS));
      expect(await deps.store.get(message.id)).toMatchObject({
        status: 'completed',
        ntfy_id: 'n1',
        attempts: 2,
      });
    });

    it('pushes when the interrupted attempt had not pushed yet', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      const message = make('notify', { message: 'not yet sent' });
      await interrupted(deps, message);

      const result = await processMessage(message, deps);

      expect(result).toEqual({ status: 'completed', result: { ntfy_id: 'n1', truncated: false } });
      expect(deps.notifier.lookups).toHaveLength(1);
      expect(deps.notifier.sent).toEqual([{ message: 'not yet sent' }]);
    });

    it('does not look on a first attempt or on a retry after a clean failure', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      deps.notifier.errors.push(new NtfyError('ntfy server error 502', 'transient', { status: 502 }));
      const message = make('notify', { message: 'x' });

      await expect(processMessage(message, deps)).rejects.toThrow('502');
      await processMessage(message, deps);

      expect(deps.notifier.lookups).toEqual([]);
      expect(deps.notifier.sent).toHaveLength(1);
    });

    it('after a lookup that found nothing, a push that fails outright is a plain failure: the retry pushes without looking', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      const message = make('notify', { message: 'never arrived' });
      await interrupted(deps, message);
      deps.notifier.errors.push(new NtfyError('ntfy server error 500', 'transient', { status: 500 }));

      await expect(processMessage(message, deps)).rejects.toThrow('500');
      const failed = await deps.store.get(message.id);
      expect(failed?.history.at(-1)).toMatchObject({ status: 'failed' });
      expect(failed?.history.at(-1)).not.toHaveProperty('unresolved');

      deps.clock.advance(5 * LEASE);
      const retry = await processMessage(message, deps);

      expect(retry).toEqual({ status: 'completed', result: { ntfy_id: 'n1', truncated: false } });
      expect(deps.notifier.lookups).toHaveLength(1);
      expect(deps.notifier.sent).toEqual([{ message: 'never arrived' }]);
    });

    it('after a lookup that found nothing, a push that timed out once sent stays unresolved: the retry looks again', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      const message = make('notify', { message: 'maybe arrived' });
      await interrupted(deps, message);
      deps.notifier.errors.push(
        new NtfyError('ntfy did not answer within 10000 ms', 'transient', { effectUnknown: true }),
      );

      await expect(processMessage(message, deps)).rejects.toThrow('did not answer');
      expect((await deps.store.get(message.id))?.history.at(-1)).toMatchObject({
        status: 'failed',
        unresolved: true,
      });

      deps.clock.advance(5 * LEASE);
      await processMessage(message, deps);

      expect(deps.notifier.lookups).toHaveLength(2);
    });

    it('fails the attempt when the lookup fails, and the retry looks again instead of re-sending blindly', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      const message = make('notify', { message: 'sent before the crash' });
      await deps.notifier.publish({ message: 'sent before the crash' });
      const startedAt = await interrupted(deps, message);
      deps.notifier.lookupErrors.push(new NtfyError('ntfy server error 503', 'transient', { status: 503 }));

      await expect(processMessage(message, deps)).rejects.toThrow('503');
      const failed = await deps.store.get(message.id);
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'NTFY_UNAVAILABLE' } });
      expect(failed?.history.at(-1)).toMatchObject({ status: 'failed', unresolved: true });
      expect(deps.notifier.sent).toHaveLength(1);

      deps.clock.advance(5 * LEASE);
      const retry = await processMessage(message, deps);

      expect(retry).toMatchObject({ status: 'completed', result: { ntfy_id: 'n1', recovered: true } });
      expect(deps.notifier.sent).toHaveLength(1);
      // Both lookups reach back to the attempt that may have pushed, not to the failed lookup.
      expect(deps.notifier.lookups.map((l) => l.since)).toEqual([
        new Date(startedAt.getTime() - RECOVERY_CLOCK_SKEW_MS),
        new Date(startedAt.getTime() - RECOVERY_CLOCK_SKEW_MS),
      ]);
    });

    it('records a failure after the handler acted as unresolved, so the retry looks before pushing', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      const message = make('notify', { message: 'pushed, then the store failed' });
      const complete = deps.store.complete.bind(deps.store);
      deps.store.complete = async () => {
        throw new Error('disk I/O error');
      };

      await expect(processMessage(message, deps)).rejects.toThrow('disk I/O error');
      expect((await deps.store.get(message.id))?.history.at(-1)).toMatchObject({
        status: 'failed',
        unresolved: true,
      });

      deps.store.complete = complete;
      const retry = await processMessage(message, deps);
      expect(retry).toMatchObject({ status: 'completed', result: { ntfy_id: 'n1', recovered: true } });
      expect(deps.notifier.sent).toHaveLength(1);
    });

    it('records a push that timed out after it was sent as unresolved, so the retry looks before pushing', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      const message = make('notify', { message: 'accepted, but the answer never came' });
      // ntfy accepted it (the recording notifier keeps it), then the answer was lost.
      const publish = deps.notifier.publish.bind(deps.notifier);
      deps.notifier.publish = async (notification) => {
        await publish(notification);
        throw new NtfyError('ntfy did not answer within 10000 ms', 'transient', { effectUnknown: true });
      };

      await expect(processMessage(message, deps)).rejects.toThrow('did not answer');
      expect((await deps.store.get(message.id))?.history.at(-1)).toMatchObject({
        status: 'failed',
        unresolved: true,
      });

      deps.notifier.publish = publish;
      const retry = await processMessage(message, deps);
      expect(retry).toMatchObject({ status: 'completed', result: { ntfy_id: 'n1', recovered: true } });
      expect(deps.notifier.sent).toHaveLength(1);
    });

    it('records a push that never left as an ordinary failure: the retry sends without looking', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      const message = make('notify', { message: 'ntfy unreachable' });
      deps.notifier.errors.push(new NtfyError('cannot reach ntfy', 'transient', { effectUnknown: false }));

      await expect(processMessage(message, deps)).rejects.toThrow('cannot reach ntfy');
      expect((await deps.store.get(message.id))?.history.at(-1)).not.toHaveProperty('unresolved');
      await processMessage(message, deps);
      expect(deps.notifier.lookups).toEqual([]);
      expect(deps.notifier.sent).toHaveLength(1);
    });

    it('pushes again on recovery when the notifier cannot look (at-least-once)', async () => {
      const { deps, make } = setup({ leaseMs: LEASE });
      const plain = new RecordingNotifier();
      const notifier = { sent: plain.sent, publish: plain.publish.bind(plain) };
      const message = make('notify', { message: 'no lookup' });
      await notifier.publish({ message: 'no lookup' });
      await interrupted(deps, message);

      await processMessage(message, { ...deps, notifier });

      expect(plain.sent).toHaveLength(2);
    });
  });
});

describe('Function: processMessage (recovery against an ntfy-protocol server)', () => {
  it('settles when the cache has nothing: the push then failing with a 503 leaves the message resolved', async () => {
    // Prepare: an interrupted attempt, then ntfy answers the lookup (empty cache) and fails the push.
    const { startNtfyServer } = await import('@rez/core/testing');
    const { NtfyClient, systemClock } = await import('@rez/core');
    const ntfy = await startNtfyServer();
    const client = new NtfyClient({ baseUrl: ntfy.url, topic: 'rez-test' });
    try {
      const store = new InMemoryMessageStore();
      const deps = {
        registry: builtInRegistry(),
        store,
        bus: new RecordingPublisher(),
        notifier: client,
        clock: systemClock,
        stage: 'dev' as const,
        leaseMs: 1,
      };
      const message = createMessage(
        { type: 'notify', payload: { message: 'lost in a crash' }, created_by: 'test', stage: 'dev' },
        { ...deps, ids: ulidGenerator() },
      );
      await store.claim(message, { now: new Date(Date.now() - 1000), leaseMs: 1 });
      ntfy.respond = ({ method }) =>
        method === 'POST'
          ? { status: 503, body: { code: 50301, http: 503, error: 'unavailable' } }
          : undefined;

      // Act
      await expect(processMessage(message, deps)).rejects.toThrow('503');

      // Assess
      const last = (await store.get(message.id))?.history.at(-1);
      expect(last).toMatchObject({ status: 'failed' });
      expect(last).not.toHaveProperty('unresolved');
      expect(ntfy.requests).toBe(2);
    } finally {
      client.close();
      await ntfy.close();
    }
  });
});
