import { hash } from 'node:crypto';
import type { ReceivedMessage } from '@rez/core';
import type { SQSEvent } from 'aws-lambda';

/** Which queue a batch came from, as an SQS event names it. */
export interface EventSource {
  /** The queue's ARN (a local one: arn:aws:sqs:local:000000000000:<queue>). */
  arn: string;
  region: string;
}

/**
 * A received batch in the shape Lambda's SQS event source mapping delivers:
 * messageId, receiptHandle, ApproximateReceiveCount, SentTimestamp, message
 * attributes, md5OfBody and md5OfMessageAttributes, `aws:sqs`, the queue's ARN.
 */
export function sqsEvent(batch: readonly ReceivedMessage[], source: EventSource, now = Date.now()): SQSEvent {
  const received = String(now);
  return {
    Records: batch.map((m) => ({
      messageId: m.transportId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt.getTime()),
        SenderId: 'rez-local',
        ApproximateFirstReceiveTimestamp: received,
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.attributes).map(([key, value]) => [
          key,
          { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: hash('md5', m.body),
      md5OfMessageAttributes: md5OfMessageAttributes(m.attributes),
      eventSource: 'aws:sqs',
      eventSourceARN: source.arn,
      awsRegion: source.region,
    })),
  };
}

/**
 * SQS's MD5 of message attributes (all String here): for each attribute in
 * name order, the name, the data type, transport type 1 and the value, each
 * length-prefixed (4 bytes, big-endian) except the transport byte; none
 * when there are no attributes.
 */
export function md5OfMessageAttributes(attributes: Record<string, string>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    field(name);
    field('String');
    parts.push(Buffer.from([1]));
    field(attributes[name]);
  }
  return hash('md5', Buffer.concat(parts));
}
