import {
  builtInRegistry,
  createMessage,
  defineHandler,
  type ErrorSummary,
  type Message,
  manualClock,
  NtfyError,
  PermanentFailure,
  ulidGenerator,
} from '@rez/core';
import { InMemoryMessageStore, RecordingNotifier, RecordingPublisher } from '@rez/core/testing';
import { createWorkerHandler, type PipelineEvent, type WorkerDeps } from '@rez/worker';
import type { SNSEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { awsEvent } from '../../../../test/fixtures';

function setup(
  overrides: Pick<Partial<WorkerDeps>, 'delayRedelivery' | 'concurrency' | 'deadLetter' | 'registry'> & {
    notifier?: RecordingNotifier;
  } = {},
) {
  const recorded: [PipelineEvent, string][] = [];
  const deps = {
    registry: builtInRegistry(),
    store: new InMemoryMessageStore(),
    bus: new RecordingPublisher(),
    notifier: new RecordingNotifier(),
    clock: manualClock('2026-04-01T12:00:00.000Z'),
    stage: 'dev' as const,
    metrics: { record: (event: PipelineEvent, type: string) => recorded.push([event, type]), flush() {} },
    ...overrides,
  };
  const ids = ulidGenerator();
  const notify = (text: string, stage: 'dev' | 'prod' = 'dev') =>
    createMessage(
      { type: 'notify', payload: { message: text }, created_by: 'test', stage },
      { ...deps, ids },
    );
  return { deps, handler: createWorkerHandler(deps), notify, recorded };
}

/** An SQS record shaped like the real sample, with our body. */
function sqsRecord(body: string, messageId: string, receiveCount = 1): SQSRecord {
  const [sample] = awsEvent<SQSEvent>('sqs-event').Records;
  return {
    ...sample,
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: { ...sample.attributes, ApproximateReceiveCount: String(receiveCount) },
  };
}

/** The body SQS holds when an SNS subscription does not use raw delivery. */
function snsEnvelope(message: string, messageId = '95df01b4-ee98-5cb9-9903-4c221d41eb5e'): string {
  const { Sns } = awsEvent<SNSEvent>('sns-event').Records[0];
  return JSON.stringify({ ...Sns, MessageId: messageId, Message: message });
}

const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A RecordingNotifier whose publishes wait on `hold` first, counting the most in flight at once. */
function heldNotifier(hold: (inFlight: () => number) => Promise<void>) {
  let active = 0;
  const notifier = Object.assign(new RecordingNotifier(), { peak: 0 });
  const publish = notifier.publish.bind(notifier);
  notifier.publish = async (n) => {
    active++;
    notifier.peak = Math.max(notifier.peak, active);
    await hold(() => active);
    active--;
    return publish(n);
  };
  return notifier;
}

describe('Function: createWorkerHandler', () => {
  it('reports the real SQS sample (a plain-text body) failed with a clear reason, and records it', async () => {
    const { deps, handler } = setup();
    const sample = awsEvent<SQSEvent>('sqs-event');

    const response = await handler(sample);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'MessageID_1' }] });
    const record = await deps.store.get('invalid-MessageID_1');
    expect(record).toMatchObject({
      status: 'failed',
      raw: 'Message Body',
      error: {
        code: 'VALIDATION_FAILED',
        reason: 'invalid message: body is not JSON ("Message Body")',
        permanent: true,
      },
    });
  });

  it('processes raw-delivery bodies and SNS-envelope bodies alike', async () => {
    const { deps, handler, notify } = setup();
    const raw = notify('raw');
    const wrapped = notify('wrapped');

    const response = await handler(
      event(sqsRecord(JSON.stringify(raw), 'a'), sqsRecord(snsEnvelope(JSON.stringify(wrapped)), 'b')),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(deps.notifier.sent.map((n) => n.message).sort()).toEqual(['raw', 'wrapped']);
    expect(await deps.store.get(wrapped.id)).toMatchObject({
      status: 'completed',
      ntfy_id: expect.any(String),
    });
  });

  it('fails only the bad records of a batch; the neighbours complete', async () => {
    const { deps, handler, notify, recorded } = setup();
    const good1 = notify('one');
    const prod = notify('for prod', 'prod');
    const good2 = notify('two');
    const badPayload = { ...notify('x'), payload: { message: 'x', priority: 12 } };

    const response = await handler(
      event(
        sqsRecord(JSON.stringify(good1), 'g1'),
        sqsRecord('{"not":"a message"}', 'junk'),
        sqsRecord(JSON.stringify(prod), 'prod'),
        sqsRecord(JSON.stringify(badPayload), 'bad'),
        sqsRecord(JSON.stringify(good2), 'g2'),
      ),
    );

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad', 'junk', 'prod']);
    expect(deps.notifier.sent.map((n) => n.message).sort()).toEqual(['one', 'two']);
    expect((await deps.store.get(prod.id))?.error?.reason).toMatch(
      /for stage "prod" but this worker serves stage "dev"/,
    );
    expect((await deps.store.get(badPayload.id))?.error?.reason).toMatch(/payload\.priority: must be 1 to 5/);
    expect((await deps.store.get('invalid-junk'))?.error?.reason).toMatch(/^invalid message: id: /);
    expect(recorded.filter(([e]) => e === 'completed')).toHaveLength(2);
    expect(recorded.filter(([e]) => e === 'failed')).toHaveLength(3);
  });

  it('never pushes twice for a duplicate delivery of the same message', async () => {
    const { deps, handler, notify } = setup();
    const message = notify('once');
    const body = JSON.stringify(message);

    await handler(event(sqsRecord(body, 'first')));
    const again = await handler(event(sqsRecord(body, 'second', 2), sqsRecord(snsEnvelope(body), 'third')));

    expect(again).toEqual({ batchItemFailures: [] });
    expect(deps.notifier.sent).toHaveLength(1);
  });

  it('turns a CloudWatch alarm notification into a high-priority push naming the alarm, state and reason', async () => {
    const { deps, handler } = setup();
    const { Sns } = awsEvent<SNSEvent>('cloudwatch-alarm-sns-payload-single-metric').Records[0];
    const body = JSON.stringify(Sns);

    // The alarm becomes a cloudwatch_alarm message, which emits a notify.
    await handler(event(sqsRecord(body, 'alarm')));
    await handler(event(sqsRecord(body, 'alarm-again', 2)));
    const [notify] = deps.bus.published;
    expect(deps.bus.published).toHaveLength(1);
    expect(notify).toMatchObject({ type: 'notify', metadata: { created_by: 'handler:cloudwatch_alarm' } });
    await handler(event(sqsRecord(JSON.stringify(notify), 'push')));

    expect(deps.notifier.sent).toEqual([
      {
        title: 'ALARM: EXAMPLE',
        message: expect.stringContaining(
          'EXAMPLE is ALARM (was INSUFFICIENT_DATA)\nThreshold Crossed: 1 out of the last 1 datapoints',
        ),
        priority: 5,
        tags: ['rotating_light', 'stage-dev'],
      },
    ]);
  });

  it('asks the queue to hold a rate-limited record for ntfy’s Retry-After', async () => {
    const delays: [string, number][] = [];
    const { deps, handler, notify } = setup({
      delayRedelivery: async (record, seconds) => {
        delays.push([record.messageId, seconds]);
      },
    });
    deps.notifier.errors.push(
      new NtfyError('ntfy rate limited', 'rate_limited', { status: 429, retryAfterMs: 30_500 }),
    );

    const response = await handler(event(sqsRecord(JSON.stringify(notify('slow down')), 'r1')));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'r1' }]);
    expect(delays).toEqual([['r1', 31]]);
  });

  it('processes records concurrently, never more than the bound', async () => {
    const slow = heldNotifier(() => new Promise((r) => setTimeout(r, 20)));
    const { handler, notify } = setup({ notifier: slow, concurrency: 3 });
    const records = Array.from({ length: 10 }, (_, i) => sqsRecord(JSON.stringify(notify(`m${i}`)), `m${i}`));

    const response = await handler(event(...records));

    expect(response.batchItemFailures).toEqual([]);
    expect(slow.sent).toHaveLength(10);
    expect(slow.peak).toBe(3);
  });

  it('bounds records per batch, not across batches: two batches through one handler run side by side', async () => {
    // Prepare: each publish holds until 6 are in flight (or 200 ms pass), so the peak shows
    // whether the second batch waited behind the first one's records.
    const slow = heldNotifier(async (inFlight) => {
      for (let waited = 0; inFlight() < 6 && waited < 200; waited += 5)
        await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 5));
    });
    const { handler, notify } = setup({ notifier: slow, concurrency: 3 });
    const batch = (name: string) =>
      event(
        ...Array.from({ length: 3 }, (_, i) =>
          sqsRecord(JSON.stringify(notify(`${name}${i}`)), `${name}${i}`),
        ),
      );

    // Act: the local runtime's lanes share one handler like this.
    const responses = await Promise.all([handler(batch('a')), handler(batch('b'))]);

    // Assess
    expect(responses.map((r) => r.batchItemFailures)).toEqual([[], []]);
    expect(slow.sent).toHaveLength(6);
    expect(slow.peak).toBe(6);
  });

  it('keeps going when the store rejects a record: the record is reported failed, never acknowledged', async () => {
    const { deps, handler, notify } = setup();
    const message: Message = notify('x');
    deps.store.claim = async () => {
      throw new Error('DynamoDB throttled');
    };

    const response = await handler(event(sqsRecord(JSON.stringify(message), 'm')));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm' }]);
    expect(deps.notifier.sent).toEqual([]);
  });

  describe('permanent failures', () => {
    /** A deadLetter that records what it was given, like the queue's DLQ. */
    function recordingDeadLetter() {
      const moved: { messageId: string; body: string; reason: ErrorSummary }[] = [];
      const deadLetter = async (record: SQSRecord, reason: ErrorSummary) => {
        moved.push({ messageId: record.messageId, body: record.body, reason });
      };
      return { moved, deadLetter };
    }

    it('moves a permanently failed record to the DLQ at once and reports it processed; transient ones are retried', async () => {
      // Prepare: one record of each permanent kind beside a good one and a transient failure.
      const { moved, deadLetter } = recordingDeadLetter();
      const notifier = new RecordingNotifier();
      const { deps, handler, notify } = setup({ deadLetter, notifier });
      const good = notify('good');
      const rejected = notify('ntfy says 400');
      const flaky = notify('ntfy says 502');
      const prod = notify('for prod', 'prod');
      notifier.publish = async (n) => {
        if (n.message === 'ntfy says 400')
          throw new NtfyError('ntfy rejected the message (400): bad', 'permanent', { status: 400 });
        if (n.message === 'ntfy says 502') throw new NtfyError('ntfy server error 502: x', 'transient');
        return RecordingNotifier.prototype.publish.call(notifier, n);
      };

      // Act
      const response = await handler(
        event(
          sqsRecord(JSON.stringify(good), 'good'),
          sqsRecord('not json', 'junk'),
          sqsRecord(JSON.stringify(rejected), 'rejected'),
          sqsRecord(JSON.stringify(flaky), 'flaky'),
          sqsRecord(JSON.stringify(prod), 'prod'),
        ),
      );

      // Assess: only the transient failure is left for the queue to retry …
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'flaky' }]);
      // … the permanent ones went to the DLQ with their reason, which the store keeps too.
      expect(moved.map((m) => [m.messageId, m.reason.code]).sort()).toEqual([
        ['junk', 'VALIDATION_FAILED'],
        ['prod', 'STAGE_MISMATCH'],
        ['rejected', 'NTFY_REJECTED'],
      ]);
      expect(moved.find((m) => m.messageId === 'rejected')?.body).toBe(JSON.stringify(rejected));
      expect(await deps.store.get(rejected.id)).toMatchObject({
        status: 'failed',
        error: { code: 'NTFY_REJECTED', reason: 'ntfy rejected the message (400): bad', permanent: true },
      });
      expect((await deps.store.get('invalid-junk'))?.error?.permanent).toBe(true);
      expect(await deps.store.get(good.id)).toMatchObject({ status: 'completed' });
    });

    it('moves a handler’s PermanentFailure to the DLQ after one attempt', async () => {
      // Prepare
      const { moved, deadLetter } = recordingDeadLetter();
      const registry = builtInRegistry().register(
        defineHandler({
          type: 'always_refused',
          description: 'refuses every message',
          payloadSchema: builtInRegistry().get('hello_world').payloadSchema,
          async handle() {
            throw new PermanentFailure('the remote system says this account is closed');
          },
        }),
      );
      const { deps, handler } = setup({ deadLetter, registry });
      const message = createMessage(
        { type: 'always_refused', payload: {}, created_by: 'test', stage: 'dev' },
        { ...deps, ids: ulidGenerator() },
      );

      // Act
      const response = await handler(event(sqsRecord(JSON.stringify(message), 'm')));

      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(moved.map((m) => m.reason)).toEqual([
        {
          code: 'PERMANENT_FAILURE',
          reason: 'the remote system says this account is closed',
          permanent: true,
        },
      ]);
      expect(await deps.store.get(message.id)).toMatchObject({ status: 'failed', attempts: 1 });
    });

    it('leaves the record to the queue’s retries when the move to the DLQ fails: never acknowledged unmoved', async () => {
      // Prepare
      const errors: string[] = [];
      const { deps } = setup();
      const handler = createWorkerHandler({
        ...deps,
        deadLetter: async () => {
          throw new Error('SQS SendMessage: AccessDenied');
        },
        logger: { info() {}, warn() {}, error: (message) => errors.push(message) },
      });

      // Act
      const response = await handler(event(sqsRecord('not json', 'junk')));

      // Assess
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'junk' }]);
      expect(errors).toContain('could not move the record to the dead-letter queue; the queue will retry it');
    });

    it('without a deadLetter, reports permanent failures failed (the queue dead-letters them after maxReceiveCount)', async () => {
      const { handler } = setup();
      const response = await handler(event(sqsRecord('not json', 'junk')));
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'junk' }]);
    });
  });
});
