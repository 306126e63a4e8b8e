import { builtInRegistry, type ErrorSummary, manualClock } from '@rez/core';
import { InMemoryMessageStore, RecordingNotifier, RecordingPublisher } from '@rez/core/testing';
import { createWorkerHandler } from '@rez/worker';
import type { SNSEvent, SQSEvent } from 'aws-lambda';
import { awsEvent } from '../fixtures';
import { LONG_ALARM_NAMES } from './corpus';

describe('Extreme but valid input: CloudWatch alarms with long names at the worker', () => {
  it.each(LONG_ALARM_NAMES)('%s: a push, nothing dead-lettered', async (_name, alarmName) => {
    // Prepare: the real sample notification, with the name changed.
    const store = new InMemoryMessageStore();
    const notifier = new RecordingNotifier();
    const publisher = new RecordingPublisher();
    const deadLettered: ErrorSummary[] = [];
    const handler = createWorkerHandler({
      registry: builtInRegistry(),
      store,
      bus: publisher,
      notifier,
      clock: manualClock('2026-03-01T12:00:00.000Z'),
      stage: 'dev',
      deadLetter: async (_record, reason) => {
        deadLettered.push(reason);
      },
    });
    const { Sns } = awsEvent<SNSEvent>('cloudwatch-alarm-sns-payload-single-metric').Records[0];
    const body = JSON.stringify({
      ...Sns,
      Message: JSON.stringify({ ...JSON.parse(Sns.Message), AlarmName: alarmName }),
    });
    const record = (messageId: string, text: string) =>
      ({
        messageId,
        receiptHandle: `rh-${messageId}`,
        body: text,
        attributes: { ApproximateReceiveCount: '1' },
      }) as never;

    // Act: the alarm, then the notify it emitted.
    const first = await handler({ Records: [record('alarm', body)] } as SQSEvent);
    const second = await handler({
      Records: publisher.published.map((m, i) => record(`n${i}`, JSON.stringify(m))),
    } as SQSEvent);

    // Assess
    expect([first.batchItemFailures, second.batchItemFailures, deadLettered]).toEqual([[], [], []]);
    expect([...store.records.values()].map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0].message).toContain(alarmName);
  });
});
