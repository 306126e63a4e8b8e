import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { adapterCall } from '../errors';

export interface SqsDeadLetterOptions {
  client: SQSClient;
  /** The worker queue's dead-letter queue (its RedrivePolicy target): REZ_DLQ_URL. */
  deadLetterQueueUrl: string;
}

/**
 * The worker's `deadLetter` on AWS: sends a record that failed for good to
 * the dead-letter queue at once — its body and message attributes as
 * received — instead of letting SQS receive it maxReceiveCount times. The
 * worker then reports the record processed, and the event source mapping
 * deletes the original. Should the send fail, the worker reports the record
 * failed and SQS retries it as usual: a copy is never deleted unmoved.
 *
 * Needs `sqs:SendMessage` on the DLQ. The reason stays in the message store;
 * `SqsQueue.redrive` moves these dead letters back like any other.
 *
 * @example
 * const deadLetter = sqsDeadLetter({ client: clients.sqs, deadLetterQueueUrl: requireEnv(env, 'REZ_DLQ_URL') });
 * export const handler = createWorkerHandler({ ...deps, deadLetter });
 */
export function sqsDeadLetter(options: SqsDeadLetterOptions): (record: SQSRecord) => Promise<void> {
  return async (record) => {
    await adapterCall('SQS', 'dead-letter send', () =>
      options.client.send(
        new SendMessageCommand({
          QueueUrl: options.deadLetterQueueUrl,
          MessageBody: record.body,
          MessageAttributes: recordAttributes(record.messageAttributes),
        }),
      ),
    );
  };
}

/** The Lambda event's attribute shape (camelCase, base64 binaries) as SendMessage takes it. */
function recordAttributes(
  attributes: SQSRecord['messageAttributes'] | undefined,
): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return undefined;
  const copy: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    copy[name] =
      value.binaryValue !== undefined
        ? { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, 'base64') }
        : { DataType: value.dataType, StringValue: value.stringValue };
  }
  return copy;
}
