/**
 * The SQS side on Lambda, opened on first use (see openedOnFirstCall):
 * imported as `@rez/aws/queue-from-env` by the console (queue depth, DLQ,
 * redrive) and the worker (delayed redelivery).
 */
import { type Env, type MessageQueue, requireEnv } from '@rez/core';
import { openedOnFirstCall } from './on-first-call';

const QUEUE_METHODS: Record<keyof MessageQueue, true> = {
  receive: true,
  delete: true,
  changeVisibility: true,
  depth: true,
  listDeadLetters: true,
  redrive: true,
};

/**
 * The worker's queue and its DLQ on SQS (REZ_QUEUE_URL, REZ_DLQ_URL, read
 * now), for the console's depth figures, DLQ list and redrive; the SQS
 * client is built on the first call.
 *
 * @example
 * const queue = sqsQueueFromEnv(process.env);
 */
export function sqsQueueFromEnv(env: Env): MessageQueue {
  const queueUrl = requireEnv(env, 'REZ_QUEUE_URL');
  const deadLetterQueueUrl = requireEnv(env, 'REZ_DLQ_URL');
  return openedOnFirstCall(
    async () => (await import('./on-demand/sqs')).openQueue({ queueUrl, deadLetterQueueUrl }),
    QUEUE_METHODS,
  );
}

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
  return openedOnFirstCall(async () => (await import('./on-demand/sqs')).openRedelivery(), { delay: true });
}
