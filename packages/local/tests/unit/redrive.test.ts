import { builtInRegistry, NtfyError, submitMessage, systemClock, ulidGenerator } from '@rez/core';
import { type NtfyTestServer, RecordingNotifier, startNtfyServer } from '@rez/core/testing';
import { type LocalRuntime, startLocalRuntime } from '../../src';
import { tempDir } from '../helpers';

const until = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('Class: Poller (through the local runtime)', () => {
  let data: ReturnType<typeof tempDir>;
  let rez: LocalRuntime;
  let notifier: RecordingNotifier;

  beforeEach(async () => {
    data = tempDir();
    notifier = new RecordingNotifier();
    rez = await startLocalRuntime({
      env: { REZ_DATA_DIR: data.dir, NTFY_TOPIC: 'rez-test', REZ_MAX_RECEIVE_COUNT: '3' },
      notifier,
      backoffSeconds: () => 0.02,
      scheduler: false,
      console: false,
      log: () => {},
    });
  });
  afterEach(async () => {
    await rez.stop();
    data.remove();
  });

  it('leaves a message that failed maxReceiveCount times in the DLQ with its reason; redrive completes it', async () => {
    // Prepare: ntfy is down for exactly maxReceiveCount attempts.
    for (let i = 0; i < 3; i++)
      notifier.errors.push(new NtfyError('ntfy server error 502: bad gateway', 'transient'));
    const id = await sendNotify(rez, 'will fail, then succeed');

    // Act
    await until(async () => (await rez.queue.depth()).dead === 1);

    // Assess
    const failed = await rez.store.get(id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
    expect(failed?.error?.reason).toContain('ntfy server error 502');
    expect(failed?.history.filter((h) => h.status === 'failed')).toHaveLength(3);
    const [letter] = await rez.queue.listDeadLetters({ limit: 10 });
    expect(JSON.parse(letter.body).id).toBe(id);
    expect(letter.receiveCount).toBe(3);

    // Its last failure raised the failure alert push, whose Retry would redrive it.
    await until(async () => notifier.sent.length === 1);
    expect(notifier.sent[0]).toMatchObject({ title: `Failed: notify ${id}` });
    expect(notifier.sent[0].actions?.map((a) => a.label)).toEqual(['Open', 'Retry']);

    await expect(rez.queue.redrive()).resolves.toEqual({ moved: 1, more: false });
    await until(async () => (await rez.store.get(id))?.status === 'completed');
    expect(notifier.sent.map((n) => n.message)).toEqual([
      expect.stringContaining('ntfy server error 502'),
      'will fail, then succeed',
    ]);
    await until(
      async () => JSON.stringify(await rez.queue.depth()) === '{"visible":0,"inFlight":0,"dead":0}',
    );
  });

  it('moves a permanent failure (ntfy 400) to the DLQ after its first receive, with its reason; redrive retries it', async () => {
    // Prepare: ntfy refuses the first push for good.
    notifier.errors.push(new NtfyError('ntfy rejected the message (400): invalid topic', 'permanent'));
    const id = await sendNotify(rez, 'refused once');

    // Act
    await until(async () => (await rez.queue.depth()).dead === 1);

    // Assess: one attempt, not maxReceiveCount (3) of them.
    const failed = await rez.store.get(id);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: {
        code: 'NTFY_REJECTED',
        reason: 'ntfy rejected the message (400): invalid topic',
        permanent: true,
      },
    });
    const [letter] = await rez.queue.listDeadLetters({ limit: 10 });
    expect(JSON.parse(letter.body).id).toBe(id);
    expect(letter.receiveCount).toBe(1);

    // Its failure alert (a message of its own, queued just after the move) is pushed; then the
    // dead letter is all the queue holds.
    await until(async () => notifier.sent.length === 1);
    expect(notifier.sent[0]).toMatchObject({ title: `Failed: notify ${id}` });
    await until(async () => {
      const { visible, inFlight } = await rez.queue.depth();
      return visible + inFlight === 0;
    });
    expect(await rez.queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 1 });
    await expect(rez.queue.redrive()).resolves.toEqual({ moved: 1, more: false });
    await until(async () => (await rez.store.get(id))?.status === 'completed');
    expect(notifier.sent.map((n) => n.message).at(-1)).toBe('refused once');
  });

  it('holds a normal push ntfy refuses with 429 for the next digest, and starts that digest', async () => {
    notifier.errors.push(new NtfyError('rate limited', 'rate_limited', { status: 429, ntfyCode: 42901 }));
    const id = await sendNotify(rez, 'rate limited once');
    await until(async () => (await rez.store.get(id))?.status === 'held');
    expect((await rez.store.get(id))?.attempts).toBe(1);
    // The digest is queued just after the hold is recorded.
    await until(async () => (await rez.store.list({ type: 'push_digest' })).items.length > 0);
    expect((await rez.store.list({ type: 'push_digest' })).items).toHaveLength(1);
  });

  it('honours a 429 Retry-After of an urgent push instead of its own short backoff', async () => {
    notifier.errors.push(
      new NtfyError('rate limited', 'rate_limited', { status: 429, retryAfterMs: 60_000 }),
    );
    const id = await sendNotify(rez, 'rate limited once', 5);
    await until(async () => (await rez.store.get(id))?.status === 'failed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The backoff (20 ms) would have retried many times by now; Retry-After keeps it hidden.
    expect(await rez.queue.depth()).toMatchObject({ visible: 0, inFlight: 1 });
    expect((await rez.store.get(id))?.attempts).toBe(1);
  });
});

describe('Permanent failures in the worker thread', () => {
  it('reach the DLQ at once through the thread’s port to the poller', async () => {
    // Prepare: the real runtime, handler in its thread, against an ntfy that refuses one message.
    const data = tempDir();
    const ntfy: NtfyTestServer = await startNtfyServer();
    ntfy.respond = ({ body }) =>
      body.message === 'refused'
        ? { status: 400, body: { code: 40001, http: 400, error: 'invalid request' } }
        : undefined;
    const lines: string[] = [];
    const rez = await startLocalRuntime({
      env: {
        REZ_DATA_DIR: data.dir,
        NTFY_BASE_URL: ntfy.url,
        NTFY_TOPIC: 'rez-test',
        REZ_MAX_RECEIVE_COUNT: '5',
      },
      backoffSeconds: () => 0.02,
      scheduler: false,
      console: false,
      log: (line) => lines.push(line),
    });
    try {
      // Act
      const refused = await sendNotify(rez, 'refused');
      const fine = await sendNotify(rez, 'fine');
      await until(async () => (await rez.queue.depth()).dead === 1);
      await until(async () => (await rez.store.get(fine))?.status === 'completed');

      // Assess
      expect(await rez.store.get(refused)).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: { code: 'NTFY_REJECTED', permanent: true },
      });
      // The refused push, the fine one, and the refused one's failure alert.
      await ntfy.waitFor(2);
      expect(ntfy.requests).toBe(3);
      expect(ntfy.received.map((p) => p.title)).toContain(`Failed: notify ${refused}`);
      expect(lines.join('\n')).toMatch(/moved to the dead-letter queue after 1 receive/);
    } finally {
      await rez.stop();
      await ntfy.close();
      data.remove();
    }
  });
});

async function sendNotify(rez: LocalRuntime, message: string, priority?: number): Promise<string> {
  const sent = await submitMessage(
    {
      type: 'notify',
      payload: { message, ...(priority ? { priority } : {}) },
      created_by: 'test',
      stage: 'dev',
    },
    {
      registry: builtInRegistry(),
      clock: systemClock,
      ids: ulidGenerator(),
      store: rez.store,
      bus: rez.publisher,
    },
  );
  return sent.id;
}
