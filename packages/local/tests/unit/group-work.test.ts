import { statSync } from 'node:fs';
import path from 'node:path';
import { builtInRegistry, createMessage, systemClock, ulidGenerator } from '@rez/core';
import { openLocalPipeline } from '../../src/pipeline';
import { tempDir } from '../helpers';

const registry = builtInRegistry();
const ids = ulidGenerator();
const notify = (text: string) =>
  createMessage(
    { type: 'notify', payload: { message: text }, created_by: 'test', stage: 'dev' },
    { registry, clock: systemClock, ids },
  );

describe('Group-commit work of the local pipeline', () => {
  let data: ReturnType<typeof tempDir>;
  let pipeline: ReturnType<typeof openLocalPipeline>;

  beforeEach(() => {
    data = tempDir();
    pipeline = openLocalPipeline({
      dbFile: path.join(data.dir, 'rez.db'),
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 30,
      backgroundCheckpoints: true,
    });
  });
  afterEach(() => {
    pipeline.close();
    data.remove();
  });

  const total = async () => {
    const buckets = await pipeline.store.counts({
      since: new Date(Date.now() - 3_600_000),
      until: new Date(Date.now() + 600_000),
    });
    return buckets.reduce(
      (sum, b) => ({ created: sum.created + b.created, completed: sum.completed + b.completed }),
      { created: 0, completed: 0 },
    );
  };

  it('aggregates the counts of one group and reads them back before and after its commit', async () => {
    const messages = Array.from({ length: 5 }, (_, i) => notify(`m${i}`));
    const puts = messages.map((m) => pipeline.store.put(m, new Date()));
    // The group is still open: this connection sees its own increments.
    expect((await total()).created).toBe(5);
    await Promise.all(puts);
    expect(await total()).toEqual({ created: 5, completed: 0 });
  });

  it('drops the count increments of a write that failed, keeps those of its neighbours', async () => {
    const message = notify('ok');
    const ok = pipeline.store.put(message, new Date());
    const bad = pipeline.store.complete('01ARZ3NDEKTSV4RRFFQ69G5FAV', { now: new Date(), result: {} });
    await expect(bad).rejects.toThrow();
    await ok;
    expect(await total()).toEqual({ created: 1, completed: 0 });
  });

  it('receive deletes the handles it is given in the same write, then receives', async () => {
    await pipeline.publisher.publish(notify('a'));
    await pipeline.publisher.publish(notify('b'));
    const [first] = await pipeline.queue.receive({ maxMessages: 1 });
    const [second] = await pipeline.queue.receive({ maxMessages: 1, deleteFirst: [first.receiptHandle] });
    expect(second.transportId).not.toBe(first.transportId);
    await pipeline.queue.receive({ maxMessages: 1, deleteFirst: [second.receiptHandle] });
    expect(await pipeline.queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  });
});

describe('Function: startWalCheckpointer (through openLocalPipeline)', () => {
  it('copies committed pages into the database file from its thread, without a commit doing it', async () => {
    const data = tempDir();
    const file = path.join(data.dir, 'rez.db');
    const pipeline = openLocalPipeline({
      dbFile: file,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 30,
      backgroundCheckpoints: true,
    });
    try {
      const before = statSync(file).size;
      // Far below wal_autocheckpoint: only the thread writes the database file.
      await Promise.all(
        Array.from({ length: 300 }, (_, i) => pipeline.store.put(notify(`c${i}`), new Date())),
      );
      const deadline = Date.now() + 5000;
      while (statSync(file).size <= before && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(statSync(file).size).toBeGreaterThan(before);
    } finally {
      pipeline.close();
      data.remove();
    }
  });
});
