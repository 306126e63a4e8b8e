/**
 * The console's SQS side on Lambda, opened on first use (see
 * openedOnFirstCall): imported as `@rez/aws/queue-from-env` for queue depth,
 * the DLQ list and redrive. The worker's own SQS calls have their entry
 * (worker-queue-from-env), so its bundle holds none of these.
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
