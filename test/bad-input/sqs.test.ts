import { builtInRegistry, type ErrorSummary, manualClock } from '@rez/core';
import { InMemoryMessageStore, RecordingNotifier, RecordingPublisher } from '@rez/core/testing';
import { createWorkerHandler } from '@rez/worker';
import type { SQSEvent } from 'aws-lambda';
import { SQS_CASES } from './corpus';

describe('Bad input: SQS record bodies at the worker handler', () => {
  it.each(SQS_CASES.map((c) => [c.name, c] as const))(
    '%s: failed for good, reason stored, in the DLQ at once, nothing sent',
    async (_name, c) => {
      // Prepare
      const store = new InMemoryMessageStore();
      const notifier = new RecordingNotifier();
      const publisher = new RecordingPublisher();
      const deadLettered: { messageId: string; reason: ErrorSummary }[] = [];
      const handler = createWorkerHandler({
        registry: builtInRegistry(),
        store,
        bus: publisher,
        notifier,
        clock: manualClock('2026-03-01T12:00:00.000Z'),
        stage: 'dev',
        deadLetter: async (record, reason) => {
          deadLettered.push({ messageId: record.messageId, reason });
        },
      });
      const event = {
        Records: [
          {
            messageId: 'sqs-1',
            receiptHandle: 'rh-1',
            body: c.body,
            attributes: { ApproximateReceiveCount: '1' },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:rez-dev',
            awsRegion: 'us-east-1',
          },
        ],
      } as unknown as SQSEvent;

      // Act
      const response = await handler(event);

      // Assess: a permanent failure, so no retries: moved to the DLQ with its reason (and
      // reported processed, so the queue deletes its own copy) …
      expect(response.batchItemFailures).toEqual([]);
      expect(deadLettered).toEqual([
        { messageId: 'sqs-1', reason: expect.objectContaining({ permanent: true }) },
      ]);
      // … with its reason in the store, and nothing pushed or emitted.
      const records = [...store.records.values()];
      expect(records).toHaveLength(1);
      expect(records[0].status).toBe('failed');
      expect(records[0].error?.reason).toEqual(expect.any(String));
      expect(records[0].error?.reason.length).toBeGreaterThan(10);
      expect(records[0].error?.permanent).toBe(true);
      expect(deadLettered[0].reason).toEqual(records[0].error);
      expect(notifier.sent).toEqual([]);
      expect(publisher.published).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});
