import path from 'node:path';
import {
  AdapterError,
  builtInRegistry,
  createMessage,
  type MessageStore,
  systemClock,
  ulidGenerator,
} from '@rez/core';
import { type NtfyTestServer, startNtfyServer } from '@rez/core/testing';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { awsEvent } from '../../../../test/fixtures';
import { type LocalPipeline, openLocalPipeline } from '../../src';
import { type WorkerThreadOptions, WorkerThreads } from '../../src/worker-thread/host';
import { tempDir } from '../helpers';

const FAKE_THREAD = path.join(__dirname, '../fixtures/fake-worker-thread.js');

/** An SQS record shaped like the real sample, with our body. */
function sqsRecord(body: string, messageId: string): SQSRecord {
  const [sample] = awsEvent<SQSEvent>('sqs-event').Records;
  return { ...sample, messageId, receiptHandle: `rh-${messageId}`, body };
}

const notify = (text: string) =>
  createMessage(
    { type: 'notify', payload: { message: text }, created_by: 'test', stage: 'dev' },
    { registry: builtInRegistry(), clock: systemClock, ids: ulidGenerator() },
  );

describe('Class: WorkerThread (dist/worker-thread.js, the worker handler in a thread)', () => {
  let data: ReturnType<typeof tempDir>;
  let pipeline: LocalPipeline;
  let ntfy: NtfyTestServer;
  let thread: WorkerThreads | undefined;
  let logged: string[];

  const start = (overrides: Partial<WorkerThreadOptions> = {}) => {
    thread = new WorkerThreads({
      ntfy: { baseUrl: ntfy.url, topic: 'rez-test' },
      stage: 'dev',
      leaseMs: 30_000,
      store: pipeline.store,
      pushState: pipeline.pushState,
      bus: pipeline.publisher,
      maxReceiveCount: 3,
      push: { limits: null },
      delayRedelivery: async () => {},
      log: (line) => logged.push(line),
      ...overrides,
    });
    return thread;
  };

  beforeEach(async () => {
    data = tempDir();
    pipeline = openLocalPipeline({
      dbFile: path.join(data.dir, 'rez.db'),
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 30,
    });
    ntfy = await startNtfyServer();
    logged = [];
  });
  afterEach(async () => {
    await thread?.stop();
    thread = undefined;
    await ntfy.close();
    pipeline.close();
    data.remove();
  });

  it('processes a batch with the store on this thread: good records pushed and completed, a bad one failed with its reason', async () => {
    // Prepare
    const [first, second] = [notify('first'), notify('second')];
    const handler = start().handler;

    // Act
    const response = await handler({
      Records: [
        sqsRecord(JSON.stringify(first), 't1'),
        sqsRecord('not json at all', 't2'),
        sqsRecord(JSON.stringify(second), 't3'),
      ],
    });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 't2' }]);
    expect(ntfy.received.map((p) => p.message).sort()).toEqual(['first', 'second']);
    expect(await pipeline.store.get(first.id)).toMatchObject({
      status: 'completed',
      ntfy_id: expect.any(String),
    });
    expect(await pipeline.store.get(second.id)).toMatchObject({ status: 'completed' });
    const rejected = await pipeline.store.get('invalid-t2');
    expect(rejected).toMatchObject({ status: 'failed' });
    expect(rejected?.error?.reason).toContain('not JSON');
    expect(logged.join('\n')).toContain('record is not a Rez message');
  });

  it("carries a store error's code across: the worker logs ADAPTER_FAILED, the record fails, nothing is pushed", async () => {
    // Prepare: the store on this side fails every claim the way an adapter does.
    const failing: MessageStore = Object.create(pipeline.store);
    failing.claim = async () => {
      throw new AdapterError('sqlite', 'claim', new Error('disk I/O error'));
    };
    const handler = start({ store: failing }).handler;

    // Act
    const response = await handler({ Records: [sqsRecord(JSON.stringify(notify('x')), 't1')] });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 't1' }]);
    expect(ntfy.requests).toBe(0);
    expect(logged.join('\n')).toMatch(
      /message failed .*"code":"ADAPTER_FAILED".*sqlite claim failed: disk I\/O error/,
    );
  });

  it('asks the poller, across the thread, to hold back a record ntfy rate-limited for its Retry-After', async () => {
    // Prepare
    ntfy.respond = () => ({
      status: 429,
      headers: { 'Retry-After': '30' },
      body: { code: 42901, http: 429, error: 'limit reached: too many requests' },
    });
    const delayed: [string, number][] = [];
    const handler = start({
      delayRedelivery: async (record, seconds) => {
        delayed.push([record.receiptHandle, seconds]);
      },
    }).handler;

    // Act
    const response = await handler({ Records: [sqsRecord(JSON.stringify(notify('x')), 't1')] });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 't1' }]);
    expect(delayed).toEqual([['rh-t1', 30]]);
  });

  it('takes a batch as received (deliver) and builds the SQS event in the thread: ids and receive count carried', async () => {
    // Prepare: ntfy fails, so the worker logs the attempt it read from ApproximateReceiveCount.
    ntfy.respond = () => ({ status: 500, body: { code: 50001, http: 500, error: 'internal server error' } });
    const message = notify('x');
    const deliver = start().deliver;

    // Act
    const response = await deliver(
      [
        {
          transportId: 't-9',
          receiptHandle: 't-9:h',
          body: JSON.stringify(message),
          receiveCount: 4,
          sentAt: new Date(),
          attributes: { type: 'notify', stage: 'dev' },
        },
      ],
      { arn: 'arn:aws:sqs:local:000000000000:rez-worker', region: 'local' },
    );

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 't-9' }]);
    expect(logged.join('\n')).toMatch(
      new RegExp(`message failed .*"messageId":"${message.id}".*"attempt":4`),
    );
  });

  it('fails the batches a dying thread held, and the next batch starts a new thread', async () => {
    // Prepare
    const handler = start({ script: FAKE_THREAD }).handler;

    // Act + Assess
    await expect(handler({ Records: [sqsRecord('crash', 't1')] })).rejects.toThrow(
      'the worker thread exited (code 3) before the batch finished',
    );
    await expect(handler({ Records: [sqsRecord('fine', 't2')] })).resolves.toEqual({ batchItemFailures: [] });
  });

  it('spreads batches over its threads: with two, two batches at once run in two threads', async () => {
    const handler = start({ script: FAKE_THREAD, threads: 2 }).handler;
    const who = async () =>
      (await handler({ Records: [sqsRecord('who', 't')] })).batchItemFailures[0].itemIdentifier;

    const [first, second] = await Promise.all([who(), who()]);

    expect(first).not.toBe(second);
    // One thread: the same one answers both.
    await thread?.stop();
    const single = start({ script: FAKE_THREAD, threads: 1 }).handler;
    const [a, b] = await Promise.all([
      single({ Records: [sqsRecord('who', 't')] }),
      single({ Records: [sqsRecord('who', 't')] }),
    ]);
    expect(a).toEqual(b);
  });

  it('refuses a call to anything but the port methods', async () => {
    const handler = start({ script: FAKE_THREAD }).handler;

    const response = await handler({ Records: [sqsRecord('forbidden', 't1')] });

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'the worker thread called unknown store.close' },
    ]);
  });

  it('is refused once stopped', async () => {
    const handler = start().handler;
    await thread?.stop();

    await expect(handler({ Records: [] })).rejects.toThrow('the worker threads are stopped');
  });
});
