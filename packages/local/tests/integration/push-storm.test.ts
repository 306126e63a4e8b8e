/**
 * A storm against ntfy's real limits: the local runtime (worker handler in
 * its thread) delivers 500 low-priority pushes and 3 alarms to our ntfy test
 * server with ntfy's rules on — a request bucket answered with 429 42901, a
 * daily message quota (42908), no Retry-After header — and the budget
 * configured to the same numbers. Another client on the same address has
 * already spent part of the bucket, so the budget and ntfy disagree until the
 * first 429 corrects it. The limits are ntfy.sh's shape (burst 60, 250 a
 * day) with a faster refill (250 ms instead of 5 s), so the test takes
 * seconds instead of minutes.
 */
import { builtInRegistry, type Message, submitMessage, systemClock, ulidGenerator } from '@rez/core';
import { type NtfyTestServer, startNtfyServer } from '@rez/core/testing';
import { type LocalRuntime, startLocalRuntime } from '../../src';
import { tempDir } from '../helpers';

const LOW = 500;
const ALARM_AT = [100, 250, 400];
const REFILL_MS = 250;
/** What the storm may take to settle: the digest waits for the bucket to refill past the urgent reserve. */
const SETTLE_MS = 30_000;

const until = async (check: () => Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('Quota-aware delivery: a storm of 500 low-priority pushes and 3 alarms against ntfy’s limits', () => {
  let ntfy: NtfyTestServer;
  let rez: LocalRuntime;
  let data: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    ntfy = await startNtfyServer({
      limits: { requestBurst: 60, requestReplenishSeconds: REFILL_MS / 1000, messagesPerDay: 250 },
    });
    data = tempDir();
    rez = await startLocalRuntime({
      env: {
        REZ_DATA_DIR: data.dir,
        NTFY_BASE_URL: ntfy.url,
        NTFY_TOPIC: 'rez-storm',
        NTFY_LIMITS: `burst=60,refill=${REFILL_MS}ms,daily=250`,
        REZ_PUBLIC_URL: 'https://rez.example.com',
      },
      console: false,
      // Its built-in hello world stays out of the count; the loop's sweep is the backstop, not the path.
      scheduler: false,
      log: () => {},
    });
  }, 30_000);

  afterAll(async () => {
    await rez?.stop();
    await ntfy?.close();
    data?.remove();
  });

  it('delivers the alarms promptly, digests the rest, loses none, and sends nothing into a 429', async () => {
    // Another client on this address spent 20 of the 60 requests: the budget does not know.
    for (let i = 0; i < 20; i++) await fetch(`${ntfy.url}/rez-storm/json?poll=1&since=all`);

    const deps = {
      registry: builtInRegistry(),
      clock: systemClock,
      ids: ulidGenerator(),
      store: rez.store,
      bus: rez.publisher,
    };
    const low: Message[] = [];
    const alarms: { message: Message }[] = [];
    for (let i = 0; i < LOW; i++) {
      low.push(
        await submitMessage(
          {
            type: 'notify',
            payload: { message: `storm ${i}`, priority: 3 },
            created_by: 'test',
            stage: 'dev',
          },
          deps,
        ),
      );
      if (ALARM_AT.includes(i)) {
        const message = await submitMessage(
          {
            type: 'cloudwatch_alarm',
            payload: { alarm_name: `storm-alarm-${i}`, new_state: 'ALARM', old_state: 'OK', reason: 'storm' },
            created_by: 'test',
            stage: 'dev',
          },
          deps,
        );
        alarms.push({ message });
      }
    }

    // Every alarm goes ahead of the storm: its push is never held nor sent back to wait for the
    // budget — delivered at its first attempt, at priority 5, with its buttons. (How long the queue
    // takes to reach it is the runtime's throughput, which the bench measures, not this test.)
    for (const { message } of alarms) {
      const title = `ALARM: ${message.payload.alarm_name}`;
      await until(
        async () => ntfy.received.some((push) => push.title === title),
        SETTLE_MS,
        `the push of ${title}`,
      );
      const push = ntfy.received.find((p) => p.title === title);
      expect(push?.priority).toBe(5);
      expect(push?.actions?.map((a) => a.label)).toEqual(['Open', 'Acknowledge']);
      const pushId = /\/messages\/([^/?#]+)$/.exec(push?.click ?? '')?.[1];
      // ntfy holds the push before the worker has its answer: the completion is written just after.
      await until(
        async () => !pushId || (await rez.store.get(pushId))?.status !== 'processing',
        SETTLE_MS,
        `the record of ${title} to leave processing`,
      );
      const record = pushId ? await rez.store.get(pushId) : null;
      expect({
        title,
        status: record?.status,
        attempts: record?.attempts,
        held: record?.result?.held,
      }).toEqual({
        title,
        status: 'completed',
        attempts: 1,
        held: undefined,
      });
    }

    // Everything settles: nothing queued, processing or held; the digests named the rest.
    await until(
      async () => {
        const pending = await Promise.all(
          (['queued', 'processing', 'held'] as const).map((status) => rez.store.list({ status, limit: 1 })),
        );
        return pending.every((page) => page.items.length === 0);
      },
      SETTLE_MS,
      'the storm to settle',
    );

    const digests = (await rez.store.list({ type: 'push_digest', limit: 100 })).items;
    const named = new Set(
      digests.flatMap((d) => (Array.isArray(d.result?.messages) ? (d.result.messages as string[]) : [])),
    );
    const pushedTexts = new Set(ntfy.received.map((p) => p.message));
    let direct = 0;
    let digested = 0;
    let lost = 0;
    for (const message of low) {
      const record = await rez.store.get(message.id);
      expect(record?.status).toBe('completed');
      if (pushedTexts.has(String(message.payload.message))) direct++;
      else if (named.has(message.id) && record?.result?.digest) digested++;
      else lost++;
    }
    expect(lost).toBe(0);
    expect(direct + digested).toBe(LOW);
    expect(digested).toBeGreaterThan(LOW / 2);
    // One digest push for the storm, not one per held message (a second one may follow stragglers).
    const digestPushes = ntfy.received.filter((p) => /held push/.test(p.title ?? ''));
    expect(digestPushes.length).toBeGreaterThanOrEqual(1);
    expect(digestPushes.length).toBe(digests.filter((d) => d.result?.ntfy_id).length);
    expect(digestPushes.length).toBeLessThanOrEqual(3);
    expect(digestPushes[0].message).toMatch(/^\d+ messages since \d\d:\d\d UTC: \d+ notify\n/);
    expect(digestPushes[0].click).toMatch(/^https:\/\/rez\.example\.com\/messages\?digest=/);

    // The first 429 corrected the budget: every 429 came in that one moment (requests already on
    // their way), none later — nothing was sent into an empty bucket after ntfy said so.
    const refused = ntfy.answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.code === 42901)).toBe(true);
    expect(refused.at(-1)?.at ?? 0).toBeLessThanOrEqual((refused[0]?.at ?? 0) + REFILL_MS);
    // And the daily quota was never reached: the budget kept normal pushes within it.
    expect(ntfy.answers.filter((a) => a.code === 42908)).toEqual([]);
  }, 60_000);
});
