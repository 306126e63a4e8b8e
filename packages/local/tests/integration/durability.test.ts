import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { builtInRegistry, submitMessage, systemClock, ulidGenerator } from '@rez/core';
import { type NtfyTestServer, startNtfyServer } from '@rez/core/testing';
import { type LocalPipeline, openLocalPipeline } from '../../src';
import { exited, startRuntimeProcess, tempDir } from '../helpers';

const N = 200;
const BATCHES = 2;

describe('Class: local runtime durability', () => {
  let ntfy: NtfyTestServer;
  let data: ReturnType<typeof tempDir>;
  let pipeline: LocalPipeline;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    ntfy = await startNtfyServer({ delayMs: 30 });
    data = tempDir();
    pipeline = openLocalPipeline({
      dbFile: path.join(data.dir, 'rez.db'),
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 2,
    });
  });
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    pipeline.close();
    await ntfy.close();
    data.remove();
  });

  it('delivers every message exactly once after a SIGKILL mid-way; store and queue agree', async () => {
    // Prepare
    const env = {
      REZ_DATA_DIR: data.dir,
      NTFY_BASE_URL: ntfy.url,
      NTFY_TOPIC: 'rez-durability',
      // The test server has no limits: every push goes at once, none is held for a digest.
      NTFY_LIMITS: 'none',
      REZ_POLLER_BATCHES: String(BATCHES),
      REZ_VISIBILITY_TIMEOUT_SECONDS: '2',
    };
    const deps = {
      registry: builtInRegistry(),
      clock: systemClock,
      ids: ulidGenerator(),
      store: pipeline.store,
      bus: pipeline.publisher,
    };
    for (let i = 0; i < N; i++)
      await submitMessage(
        { type: 'notify', payload: { message: `m-${i}` }, created_by: 'test', stage: 'dev' },
        deps,
      );

    // Act: kill it mid-way, start it again.
    child = (await startRuntimeProcess(env)).child;
    await ntfy.waitFor(N / 4, 15_000);
    child.kill('SIGKILL');
    await exited(child);
    const beforeKill = ntfy.received.length;
    child = (await startRuntimeProcess(env)).child;

    // Assess
    const texts = () => new Set(ntfy.received.map((p) => p.message));
    const deadline = Date.now() + 20_000;
    while (texts().size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(texts().size).toBe(N);
    while (Date.now() < deadline) {
      const depth = await pipeline.queue.depth();
      if (depth.visible + depth.inFlight === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await pipeline.queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
    const completed = await pipeline.store.list({ status: 'completed', limit: 100 });
    const records = [...completed.items];
    for (let cursor = completed.cursor; cursor; ) {
      const page = await pipeline.store.list({ status: 'completed', limit: 100, cursor });
      records.push(...page.items);
      cursor = page.cursor;
    }
    expect(records).toHaveLength(N);

    // ntfy has no idempotency key: a publish in flight when the process died was
    // accepted by the server but never recorded as completed. The attempt that
    // takes it over finds it in ntfy's message cache (poll API) and records that
    // id instead of pushing again, so nothing repeats.
    const duplicates = ntfy.received.length - N;
    const recovered = records.filter((r) => r.result?.recovered === true);
    console.log(
      `durability: ${beforeKill} pushes before SIGKILL, ${recovered.length} recovered from ntfy's cache, ${duplicates} duplicate(s) of ${N}`,
    );
    expect(duplicates).toBe(0);
    // Every completed record names the push ntfy holds for its text: recovered ids are real ones.
    const idByText = new Map(ntfy.received.map((p) => [p.message, p.id]));
    for (const record of records) expect(record.ntfy_id).toBe(idByText.get(String(record.payload.message)));
  }, 60_000);
});
