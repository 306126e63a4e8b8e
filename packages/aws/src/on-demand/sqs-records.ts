/**
 * Loaded on the worker's first delay or dead letter (see
 * worker-queue-from-env.ts): ChangeMessageVisibility and SendMessage only,
 * with one SQS client for both, built on the first of them.
 */
import type { SQSRecord } from 'aws-lambda';
import { sqsDeadLetter } from '../bus/dead-letter';
import { SqsRedelivery } from '../bus/sqs-redelivery';
import { createSqsClient } from '../sdk/sqs';

let client: ReturnType<typeof createSqsClient> | undefined;
const sharedClient = () => {
  client ??= createSqsClient();
  return client;
};

export function openRedelivery(): SqsRedelivery {
  return new SqsRedelivery({ client: sharedClient() });
}

export function openDeadLetter(deadLetterQueueUrl: string): { send(record: SQSRecord): Promise<void> } {
  return { send: sqsDeadLetter({ client: sharedClient(), deadLetterQueueUrl }) };
}
