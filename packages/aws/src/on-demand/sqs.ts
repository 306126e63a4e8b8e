/**
 * Loaded on the console's first queue call (see queue-from-env.ts): this
 * module and the SQS client it pulls in stay out of a Lambda's cold start.
 */
import { SqsQueue } from '../bus/sqs-queue';
import { createSqsClient } from '../sdk/sqs';

export function openQueue(options: { queueUrl: string; deadLetterQueueUrl: string }): SqsQueue {
  return new SqsQueue({ client: createSqsClient(), ...options });
}
