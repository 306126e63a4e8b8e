import { builtInRegistry, manualClock } from '@rez/core';
import { InMemoryMessageStore, RecordingNotifier, RecordingPublisher } from '@rez/core/testing';
import { createWorkerHandler } from '@rez/worker';
import type { SNSEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { awsEvent } from '../../../../test/fixtures';

const SAMPLES = [
  'cloudwatch-alarm-sns-payload-single-metric',
  'cloudwatch-alarm-sns-payload-multiple-metrics',
];

/**
 * The real SNS notification of a sample, with its alarm JSON changed: the
 * body the alarm topic's SQS subscription (no raw delivery) hands the worker.
 */
function alarmBody(sample: string, change: Record<string, unknown>, messageId: string): string {
  const { Sns } = awsEvent<SNSEvent>(sample).Records[0];
  const alarm = { ...JSON.parse(Sns.Message), ...change };
  return JSON.stringify({ ...Sns, MessageId: messageId, Message: JSON.stringify(alarm) });
}

function sqsRecord(body: string, messageId: string): SQSRecord {
  const [sample] = awsEvent<SQSEvent>('sqs-event').Records;
  return { ...sample, messageId, receiptHandle: `rh-${messageId}`, body };
}

/** Runs an alarm notification through the worker, then the notify it emitted (if any), as the queue would. */
async function deliver(sample: string, change: Record<string, unknown>) {
  const deps = {
    registry: builtInRegistry(),
    store: new InMemoryMessageStore(),
    bus: new RecordingPublisher(),
    notifier: new RecordingNotifier(),
    clock: manualClock('2026-04-01T12:00:00.000Z'),
    stage: 'dev' as const,
  };
  const handler = createWorkerHandler(deps);
  const first = await handler({ Records: [sqsRecord(alarmBody(sample, change, 'sns-1'), 'alarm')] });
  for (const [i, child] of deps.bus.published.entries())
    await handler({ Records: [sqsRecord(JSON.stringify(child), `child-${i}`)] });
  const records = [...deps.store.records.values()];
  return { failures: first.batchItemFailures, pushes: deps.notifier.sent, records };
}

describe.each(SAMPLES)('CloudWatch alarm notifications (%s)', (sample) => {
  it('pushes the sample as it is (INSUFFICIENT_DATA → ALARM) at max priority', async () => {
    const { pushes, failures } = await deliver(sample, {});
    expect(failures).toEqual([]);
    expect(pushes).toEqual([
      expect.objectContaining({
        title: 'ALARM: EXAMPLE',
        priority: 5,
        tags: ['rotating_light', 'stage-dev'],
      }),
    ]);
  });

  it('pushes INSUFFICIENT_DATA from an alarm that alerts on it as alarm-grade, saying no OK push follows', async () => {
    const { pushes } = await deliver(sample, {
      AlarmName: 'rez-prod-schedule-missed',
      OldStateValue: 'OK',
      NewStateValue: 'INSUFFICIENT_DATA',
      NewStateReason: 'Insufficient Data: 1 datapoint was unknown.',
    });
    expect(pushes).toEqual([
      expect.objectContaining({
        title: 'NO DATA: rez-prod-schedule-missed',
        priority: 5,
        tags: ['warning', 'stage-dev'],
        message: expect.stringContaining('No push follows when it returns to OK'),
      }),
    ]);
  });

  it('pushes a recovery (ALARM → OK) at default priority', async () => {
    const { pushes } = await deliver(sample, { OldStateValue: 'ALARM', NewStateValue: 'OK' });
    expect(pushes).toEqual([
      expect.objectContaining({ title: 'OK: EXAMPLE', priority: 3, tags: ['white_check_mark', 'stage-dev'] }),
    ]);
  });

  it('records an alarm’s first move INSUFFICIENT_DATA → OK (after a deploy) without a push', async () => {
    const { pushes, records, failures } = await deliver(sample, {
      OldStateValue: 'INSUFFICIENT_DATA',
      NewStateValue: 'OK',
    });
    expect(failures).toEqual([]);
    expect(pushes).toEqual([]);
    expect(records).toEqual([
      expect.objectContaining({
        type: 'cloudwatch_alarm',
        status: 'completed',
        children: [],
        result: { pushed: false, reason: expect.stringContaining('not a recovery') },
      }),
    ]);
  });

  it.each([244, 250, 251, 255])(
    'pushes an alarm whose name is %i characters (AWS allows 255), its title cut to 250',
    async (length) => {
      const name = `rez-${'n'.repeat(length - 6)}😀`;
      const { pushes, failures, records } = await deliver(sample, { AlarmName: name });
      expect(failures).toEqual([]);
      expect(records.every((r) => r.status === 'completed')).toBe(true);
      expect(pushes).toHaveLength(1);
      expect(pushes[0].title?.length).toBeLessThanOrEqual(250);
      expect(() => encodeURIComponent(pushes[0].title ?? '')).not.toThrow(); // no lone surrogate
      expect(pushes[0].message).toContain(name);
    },
  );
});
