/**
 * The worker's SQS calls on the records an event hands it, opened on first
 * use (see openedOnFirstCall): imported as `@rez/aws/worker-queue-from-env`.
 * A batch that needs neither loads no SQS client at all.
 */
import { type Env, requireEnv } from '@rez/core';
import type { SQSRecord } from 'aws-lambda';
import { openedOnFirstCall } from './on-first-call';

/** Delays the next delivery of a message received in an SQS event (see SqsRedelivery). */
export interface Redelivery {
  delay(record: { eventSourceARN: string; receiptHandle: string }, seconds: number): Promise<void>;
}

/**
 * The worker's delayed redelivery on SQS (ChangeMessageVisibility on the
 * record's own queue); the SQS client is built on the first delay, which
 * most workers never need.
 *
 * @example
 * const redelivery = sqsRedelivery();
 * await redelivery.delay(record, 60);
 */
export function sqsRedelivery(): Redelivery {
  return openedOnFirstCall(async () => (await import('./on-demand/sqs-records')).openRedelivery(), {
    delay: true,
  });
}

/**
 * The worker's `deadLetter` on SQS (see sqsDeadLetter): SendMessage of a
 * record that failed for good to the dead-letter queue REZ_DLQ_URL (read
 * now); the SQS client is built on the first dead letter.
 *
 * @example
 * const deadLetter = sqsDeadLetterFromEnv(process.env);
 * export const handler = createWorkerHandler({ ...deps, deadLetter });
 */
export function sqsDeadLetterFromEnv(env: Env): (record: SQSRecord) => Promise<void> {
  const deadLetterQueueUrl = requireEnv(env, 'REZ_DLQ_URL');
  const port = openedOnFirstCall(
    async () => (await import('./on-demand/sqs-records')).openDeadLetter(deadLetterQueueUrl),
    { send: true },
  );
  return (record) => port.send(record);
}
