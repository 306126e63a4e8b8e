/**
 * Loaded on the first queue call (see from-env.ts): this module and the SQS
 * client it pulls in stay out of a Lambda's cold start.
 */
import { SqsQueue, SqsRedelivery } from '../bus/sqs-queue';
import { createSqsClient } from '../clients';

export function openQueue(options: { queueUrl: string; deadLetterQueueUrl: string }): SqsQueue {
  return new SqsQueue({ client: createSqsClient(), ...options });
}

export function openRedelivery(): SqsRedelivery {
  return new SqsRedelivery({ client: createSqsClient() });
}
