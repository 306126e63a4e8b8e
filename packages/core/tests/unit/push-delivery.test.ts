import {
  BudgetedNotifier,
  builtInRegistry,
  classifyNtfyResponse,
  deriveMessages,
  type Message,
  manualClock,
  NTFY_SH_LIMITS,
  NtfyError,
  type ProcessorDeps,
  PushBudget,
  PushServices,
  processMessage,
  ulidGenerator,
  verifyPushAction,
} from '@rez/core';
import {
  InMemoryMessageStore,
  InMemoryPushStateStore,
  RecordingNotifier,
  RecordingPublisher,
  sampleMessage,
} from '@rez/core/testing';

const KEY = Buffer.alloc(32, 3);
const PUBLIC_URL = 'https://rez.example.com';

/** A worker's processing deps with push services over in-memory ports, at a manual time. */
function setup(options: { actions?: boolean; budget?: boolean; publicUrl?: string | null } = {}) {
  const clock = manualClock('2026-03-01T12:00:00.000Z');
  const store = new InMemoryMessageStore();
  const state = new InMemoryPushStateStore();
  const bus = new RecordingPublisher();
  const ntfy = new RecordingNotifier();
  const registry = builtInRegistry();
  const ids = ulidGenerator();
  const budget =
    options.budget === false
      ? undefined
      : new PushBudget({ store: state, key: 'k', limits: NTFY_SH_LIMITS, clock });
  const slept: number[] = [];
  const notifier = budget
    ? new BudgetedNotifier(ntfy, budget, {
        sleep: async (ms) => {
          slept.push(ms);
          clock.advance(ms);
        },
      })
    : ntfy;
  const push = new PushServices({
    store,
    bus,
    registry,
    clock,
    ids,
    stage: 'dev',
    publicUrl: options.publicUrl === null ? undefined : (options.publicUrl ?? PUBLIC_URL),
    actions:
      options.actions === false
        ? undefined
        : { key: KEY, ttlMs: 86_400_000, snoozeMs: 86_400_000, builtInSchedules: ['hello-world'] },
    budget,
  });
  const deps: ProcessorDeps = { registry, store, bus, notifier, clock, stage: 'dev', push, alarms: state };
  /** Runs a message the way the worker does: stored first by whoever made it, then processed. */
  const run = async (message: Message) => {
    await store.put(message, clock.now());
    return processMessage(message, deps);
  };
  /** The children `parent` emitted, processed in turn (as the queue would deliver them). */
  const runChildren = async (parent: Message) => {
    for (const child of bus.published.filter((m) => m.causation_id === parent.id))
      await processMessage(child, deps);
  };
  return { clock, store, state, bus, ntfy, registry, ids, budget, slept, push, deps, run, runChildren };
}

const notify = (payload: Record<string, unknown>, created_by = 'web:ana') =>
  sampleMessage({
    payload,
    metadata: { created_date: '2026-03-01T12:00:00.000Z', created_by, stage: 'dev' },
  });

describe('Pushes open their message and carry the buttons for what they are about', () => {
  it('opens the message page on a tap and from an "Open" button; an explicit click wins', async () => {
    const t = setup();
    const message = notify({ message: 'hi' });
    await t.run(message);
    const url = `${PUBLIC_URL}/messages/${message.id}`;
    expect(t.ntfy.sent[0]).toMatchObject({ click: url, actions: [{ action: 'view', label: 'Open', url }] });
    await t.run(notify({ message: 'mine', click: 'https://example.com/x' }));
    expect(t.ntfy.sent[1].click).toBe('https://example.com/x');
  });

  it('carries no links at all when the public URL is not known', async () => {
    const t = setup({ publicUrl: null });
    await t.run(notify({ message: 'hi' }));
    expect(t.ntfy.sent[0].click).toBeUndefined();
    expect(t.ntfy.sent[0].actions).toBeUndefined();
  });

  it('gives an alarm push Acknowledge, signed for the alarm message; its recovery push none', async () => {
    const t = setup();
    const alarm = sampleMessage({
      type: 'cloudwatch_alarm',
      payload: {
        alarm_name: 'rez-dev-worker-errors',
        new_state: 'ALARM',
        old_state: 'OK',
        reason: 'Errors > 0',
      },
    });
    await t.run(alarm);
    await t.runChildren(alarm);
    const [, acknowledge] = t.ntfy.sent[0].actions ?? [];
    expect(acknowledge).toMatchObject({ action: 'http', label: 'Acknowledge', method: 'POST', clear: true });
    const token = (acknowledge as { url: string }).url.replace(`${PUBLIC_URL}/actions/`, '');
    const claims = verifyPushAction(token, { key: KEY, stage: 'dev', now: t.clock.now() });
    expect(claims).toMatchObject({ action: 'acknowledge', target: alarm.id, push: t.bus.published[0].id });
    expect(claims.expiresAt).toBe(t.clock.now().getTime() + 86_400_000);

    const ok = sampleMessage({
      type: 'cloudwatch_alarm',
      payload: { alarm_name: 'rez-dev-worker-errors', new_state: 'OK', old_state: 'ALARM', reason: 'fine' },
    });
    await t.run(ok);
    await t.runChildren(ok);
    expect(t.ntfy.sent[1].actions?.map((a) => a.label)).toEqual(['Open']);
  });

  it('gives a user schedule’s push Snooze and Run again, a built-in schedule’s Run again only', async () => {
    const t = setup();
    await t.run(notify({ message: 'stand-up' }, 'scheduler:standup'));
    expect(t.ntfy.sent[0].actions?.map((a) => a.label)).toEqual(['Open', 'Snooze 24h', 'Run again']);
    const hello = sampleMessage({
      type: 'hello_world',
      payload: {},
      metadata: {
        created_date: '2026-03-01T12:00:00.000Z',
        created_by: 'scheduler:hello-world',
        stage: 'dev',
      },
    });
    await t.run(hello);
    await t.runChildren(hello);
    const [, runAgain] = t.ntfy.sent[1].actions ?? [];
    expect(t.ntfy.sent[1].actions?.map((a) => a.label)).toEqual(['Open', 'Run again']);
    const token = (runAgain as { url: string }).url.split('/actions/')[1];
    expect(verifyPushAction(token, { key: KEY, stage: 'dev', now: t.clock.now() }).target).toBe(hello.id);
  });

  it('offers Open only when push actions are off', async () => {
    const t = setup({ actions: false });
    await t.run(notify({ message: 'stand-up' }, 'scheduler:standup'));
    expect(t.ntfy.sent[0].actions?.map((a) => a.label)).toEqual(['Open']);
  });
});

describe('A failure that reaches the DLQ becomes a push with Retry', () => {
  it('alerts once with a Retry button for the failed message; a failing alert raises none', async () => {
    const t = setup();
    const failed = notify({ message: 'broken' });
    await t.push.deadLettered(
      failed,
      { code: 'NTFY_REJECTED', reason: 'ntfy rejected the message (400)' },
      5,
    );
    const [alert] = t.bus.published;
    expect(alert).toMatchObject({
      type: 'message_failed',
      metadata: { created_by: 'worker:dead-letter' },
      payload: { message_id: failed.id, type: 'notify', attempts: 5 },
    });
    await t.run(alert);
    await t.runChildren(alert);
    expect(t.ntfy.sent[0]).toMatchObject({ title: `Failed: notify ${failed.id}`, priority: 3 });
    const retry = t.ntfy.sent[0].actions?.find((a) => a.label === 'Retry') as { url: string };
    expect(
      verifyPushAction(retry.url.split('/actions/')[1], { key: KEY, stage: 'dev', now: t.clock.now() }),
    ).toMatchObject({
      action: 'retry',
      target: failed.id,
    });

    // No alert about the alert, nor about its push.
    await t.push.deadLettered(alert, { code: 'X', reason: 'x' }, 1);
    const alertPush = t.bus.published.find((m) => m.causation_id === alert.id) as Message;
    await t.push.deadLettered(alertPush, { code: 'X', reason: 'x' }, 1);
    expect(t.bus.published.filter((m) => m.type === 'message_failed')).toHaveLength(1);
  });
});

describe('Quota-aware delivery: short budget holds normal pushes for one digest; urgent ones go first', () => {
  it('holds normal pushes past the reserve, sends urgent ones from it, and starts one digest', async () => {
    const t = setup();
    const normal = Array.from({ length: 60 }, (_, i) => notify({ message: `n${i}` }));
    for (const message of normal) await t.run(message);
    expect(t.ntfy.sent).toHaveLength(48);
    const held = [...t.store.records.values()].filter((r) => r.status === 'held');
    expect(held).toHaveLength(12);
    expect(held[0].history.at(-1)?.reason).toContain('held for the next digest');
    // Exactly one digest was started for all of them.
    const digests = t.bus.published.filter((m) => m.type === 'push_digest');
    expect(digests).toHaveLength(1);

    // An urgent push goes at once, out of the reserve.
    await t.run(notify({ message: 'disk full', priority: 5 }));
    expect(t.ntfy.sent.at(-1)?.message).toBe('disk full');

    // A held push is done as far as the queue goes: a redelivery does nothing.
    await expect(processMessage(normal[59], t.deps)).resolves.toEqual({ status: 'duplicate' });
  });

  it('sends the digest when the budget allows, naming every held push, and completes them', async () => {
    const t = setup();
    for (let i = 0; i < 50; i++) await t.run(notify({ message: `n${i}`, title: `title ${i}` }));
    const [digest] = t.bus.published.filter((m) => m.type === 'push_digest');
    // Too early: the digest waits (the queue brings it back after waitMs, never sooner).
    const early = await processMessage(digest, t.deps).catch((error: unknown) => error);
    expect(early).toBeInstanceOf(NtfyError);
    expect((early as NtfyError).kind).toBe('rate_limited');
    expect((early as NtfyError).details.retryAfterMs).toBe(5000);
    t.clock.advance(5000);
    await expect(processMessage(digest, t.deps)).resolves.toMatchObject({ status: 'completed' });
    const push = t.ntfy.sent.at(-1);
    expect(push).toMatchObject({
      title: '2 held pushes',
      message: '2 messages since 12:00 UTC: 2 notify\n• title 48\n• title 49',
      click: `${PUBLIC_URL}/messages?digest=${digest.id}`,
      actions: [{ action: 'view', label: 'Open', url: `${PUBLIC_URL}/messages?digest=${digest.id}` }],
    });
    const records = [...t.store.records.values()].filter((r) => r.type === 'notify');
    expect(records.filter((r) => r.status === 'held')).toEqual([]);
    expect(records.filter((r) => r.result?.digest === digest.id)).toHaveLength(2);
    expect((await t.store.get(digest.id))?.result).toMatchObject({
      digested: 2,
      messages: expect.any(Array),
    });
    // The lease is over: the next normal push goes straight out.
    t.clock.advance(60_000);
    await t.run(notify({ message: 'later' }));
    expect(t.ntfy.sent.at(-1)?.message).toBe('later');
  });

  it('counts a digest’s pushes by the type that made them', async () => {
    const t = setup();
    for (let i = 0; i < 48; i++) await t.run(notify({ message: `n${i}` }));
    const hello = sampleMessage({ type: 'hello_world', payload: {} });
    await t.run(hello);
    await t.runChildren(hello);
    await t.run(notify({ message: 'one more' }));
    const [digest] = t.bus.published.filter((m) => m.type === 'push_digest');
    t.clock.advance(60_000);
    await processMessage(digest, t.deps);
    expect(t.ntfy.sent.at(-1)?.message).toMatch(/^2 messages since 12:00 UTC: 1 hello_world, 1 notify\n/);
  });

  it('holds a normal push ntfy refuses with 429, corrects the budget, and makes the next request wait', async () => {
    const t = setup();
    t.ntfy.errors.push(classifyNtfyResponse(429, '{"code":42901,"http":429,"error":"limit reached"}'));
    const message = notify({ message: 'refused' });
    await expect(t.run(message)).resolves.toMatchObject({ status: 'held' });
    expect((await t.budget?.usage())?.requestsLeft).toBe(0);
    // An urgent push now waits (in-process, bounded) for the next request instead of sending at once.
    await t.run(notify({ message: 'alarm', priority: 5 }));
    expect(t.slept).toEqual([5000]);
    expect(t.ntfy.sent.map((n) => n.message)).toEqual(['alarm']);
  });

  it('closes the day on 42908: normal pushes are held and urgent ones are handed back until 00:00 UTC', async () => {
    const t = setup();
    t.ntfy.errors.push(classifyNtfyResponse(429, '{"code":42908,"http":429,"error":"daily quota"}'));
    await expect(
      t.run(notify({ message: 'a', priority: 5 })).catch((e: NtfyError) => e.details.ntfyCode),
    ).resolves.toBe(42908);
    await expect(t.run(notify({ message: 'b' }))).resolves.toMatchObject({ status: 'held' });
    const urgent = await t.run(notify({ message: 'c', priority: 5 })).catch((e: unknown) => e);
    expect(urgent).toBeInstanceOf(NtfyError);
    expect((urgent as NtfyError).details.retryAfterMs).toBe(12 * 3_600_000);
    expect(t.ntfy.sent).toEqual([]);
  });

  it('sweeps: starts a digest for held pushes when none is on its way, and only then', async () => {
    const t = setup();
    await expect(t.push.sweepHeld()).resolves.toBe(false); // nothing held
    for (let i = 0; i < 49; i++) await t.run(notify({ message: `n${i}` }));
    const [lost] = t.bus.published.filter((m) => m.type === 'push_digest');
    await expect(t.push.sweepHeld()).resolves.toBe(false); // one is on its way
    // That digest never arrives (its publish was lost): once its lease lapses, the sweep starts another.
    expect(lost).toBeDefined();
    t.clock.advance(5 * 60_000 + 1);
    await expect(t.push.sweepHeld()).resolves.toBe(true);
    const digests = t.bus.published.filter((m) => m.type === 'push_digest');
    expect(digests).toHaveLength(2);
    await expect(processMessage(digests[1], t.deps)).resolves.toMatchObject({ result: { digested: 1 } });
    await expect(processMessage(lost, t.deps)).resolves.toMatchObject({ result: { digested: 0 } });
    expect(t.ntfy.sent.filter((n) => /held push/.test(n.title ?? ''))).toHaveLength(1);
  });

  it('never holds anything without a budget (NTFY_LIMITS=none): a 429 goes back to the queue as before', async () => {
    const t = setup({ budget: false });
    t.ntfy.errors.push(classifyNtfyResponse(429, '{"code":42901}'));
    await expect(t.run(notify({ message: 'x' }))).rejects.toMatchObject({ kind: 'rate_limited' });
  });
});

describe('Acknowledged alarms are held back until they are OK and fire again', () => {
  const change = (new_state: string, old_state: string) =>
    sampleMessage({
      type: 'cloudwatch_alarm',
      payload: { alarm_name: 'rez-dev-worker-errors', new_state, old_state, reason: 'r' },
    });

  it('records the changes of an acknowledged alarm unpushed; its OK ends the acknowledgement', async () => {
    const t = setup();
    await t.state.acknowledgeAlarm({
      alarm: 'rez-dev-worker-errors',
      message_id: '01JQ0000000000000000000001',
      push_id: '01JQ0000000000000000000002',
      at: '2026-03-01T11:00:00.000Z',
      by: 'push-action:acknowledge',
    });
    const again = change('INSUFFICIENT_DATA', 'ALARM');
    await expect(t.run(again)).resolves.toMatchObject({
      status: 'completed',
      result: { pushed: false, reason: expect.stringContaining('held back until it returns to OK') },
    });
    const ok = change('OK', 'ALARM');
    await expect(t.run(ok)).resolves.toMatchObject({ result: { pushed: false } });
    await expect(t.state.alarmAcknowledgement('rez-dev-worker-errors')).resolves.toBeNull();
    const fires = change('ALARM', 'OK');
    await expect(t.run(fires)).resolves.toMatchObject({ status: 'emitted' });
    expect(() =>
      deriveMessages(fires, [], { registry: t.registry, clock: t.clock, hopLimit: 8 }),
    ).not.toThrow();
  });
});
