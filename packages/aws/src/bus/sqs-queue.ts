import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  type Message as SqsMessage,
} from '@aws-sdk/client-sqs';
import {
  AdapterError,
  type DeadLetter,
  type MessageQueue,
  type QueueDepth,
  type ReceivedMessage,
} from '@rez/core';
import { adapterCall } from '../errors';
import { changeVisibility } from './sqs-redelivery';

export interface SqsQueueOptions {
  client: SQSClient;
  /** The queue the worker consumes. */
  queueUrl: string;
  /** Its dead-letter queue (the RedrivePolicy target). */
  deadLetterQueueUrl: string;
}

/** SQS returns at most ten messages per receive. */
const SQS_BATCH = 10;
/** How long peeked or redriven DLQ copies stay hidden while we work through the DLQ. */
const DLQ_HOLD_SECONDS = 30;

/**
 * The queue side of the bus on SQS: the worker's queue and its DLQ.
 *
 * Dead letters are handled with plain receive / send / delete, because SQS
 * has no read-only peek and StartMessageMoveTask cannot move a chosen subset.
 * Two consequences worth knowing:
 * - {@link SqsQueue.listDeadLetters} receives the DLQ copies and makes them
 *   visible again at once; each listing counts one receive on every copy it
 *   shows (ApproximateReceiveCount on the DLQ), and copies another client
 *   holds at that moment are not listed.
 * - {@link SqsQueue.redrive} sends a copy to the source queue before deleting
 *   the dead letter, so a failure in between leaves a duplicate rather than a
 *   loss; the store's claim makes the duplicate harmless.
 *
 * @example
 * const queue = new SqsQueue({ client: createSqsClient(), queueUrl, deadLetterQueueUrl });
 * const dead = await queue.listDeadLetters({ limit: 20 });
 * await queue.redrive({ transportIds: [dead[0].transportId] });
 */
export class SqsQueue implements MessageQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #dlqUrl: string;

  constructor(options: SqsQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#dlqUrl = options.deadLetterQueueUrl;
  }

  async receive(options: {
    maxMessages: number;
    visibilityTimeoutSeconds?: number;
    waitSeconds?: number;
  }): Promise<ReceivedMessage[]> {
    const messages = await this.#receive(this.#queueUrl, 'receive', options);
    return messages.map(toReceived);
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.#call('delete', () =>
      this.#client.send(new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: receiptHandle })),
    );
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await changeVisibility(this.#client, this.#queueUrl, receiptHandle, seconds);
  }

  async depth(): Promise<QueueDepth> {
    const [queue, dlq] = await Promise.all([
      this.#attributes(this.#queueUrl, [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ]),
      this.#attributes(this.#dlqUrl, ['ApproximateNumberOfMessages']),
    ]);
    return {
      visible: Number(queue.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(queue.ApproximateNumberOfMessagesNotVisible ?? 0),
      dead: Number(dlq.ApproximateNumberOfMessages ?? 0),
    };
  }

  /** Oldest first. Peeking counts a receive on each DLQ copy listed (see the class notes). */
  async listDeadLetters(options: { limit: number }): Promise<DeadLetter[]> {
    const held = await this.#holdDeadLetters(options.limit);
    await this.#release(held);
    return held
      .map(toReceived)
      .map(({ transportId, body, receiveCount, sentAt }) => ({ transportId, body, receiveCount, sentAt }))
      .sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
  }

  async redrive(options: { transportIds?: string[] } = {}): Promise<number> {
    const wanted = options.transportIds ? new Set(options.transportIds) : null;
    if (wanted?.size === 0) return 0;
    const held = await this.#holdDeadLetters(Number.POSITIVE_INFINITY, wanted);
    const skipped: SqsMessage[] = [];
    let moved = 0;
    try {
      for (const message of held) {
        if (wanted && !wanted.has(message.MessageId ?? '')) {
          skipped.push(message);
          continue;
        }
        await this.#call('redrive (send to source queue)', () =>
          this.#client.send(
            new SendMessageCommand({
              QueueUrl: this.#queueUrl,
              MessageBody: message.Body ?? '',
              MessageAttributes: copyAttributes(message.MessageAttributes),
            }),
          ),
        );
        await this.#call('redrive (delete dead letter)', () =>
          this.#client.send(
            new DeleteMessageCommand({ QueueUrl: this.#dlqUrl, ReceiptHandle: message.ReceiptHandle }),
          ),
        );
        moved++;
      }
    } finally {
      await this.#release(skipped);
    }
    return moved;
  }

  /**
   * Receives DLQ copies (hidden for DLQ_HOLD_SECONDS so one pass never sees
   * a copy twice) until `limit` are held, the `wanted` ids are all found, or
   * the DLQ gives no more. ApproximateNumberOfMessages bounds the loop so the
   * common case ends without waiting out an empty long poll.
   */
  async #holdDeadLetters(limit: number, wanted: Set<string> | null = null): Promise<SqsMessage[]> {
    const { ApproximateNumberOfMessages } = await this.#attributes(this.#dlqUrl, [
      'ApproximateNumberOfMessages',
    ]);
    const expected = Math.min(limit, Number(ApproximateNumberOfMessages ?? 0));
    const held = new Map<string, SqsMessage>();
    const found = () => (wanted ? [...wanted].every((id) => held.has(id)) : false);
    while (held.size < expected && !found()) {
      const batch = await this.#receive(this.#dlqUrl, 'dead-letter receive', {
        maxMessages: Math.min(SQS_BATCH, expected - held.size),
        visibilityTimeoutSeconds: DLQ_HOLD_SECONDS,
        waitSeconds: 1,
      });
      if (batch.length === 0) break;
      // A standard queue may hand out the same copy twice; keep one.
      for (const message of batch) held.set(message.MessageId ?? '', message);
    }
    return [...held.values()];
  }

  async #release(messages: SqsMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += SQS_BATCH) {
      const entries = messages.slice(i, i + SQS_BATCH).map((m, index) => ({
        Id: String(index),
        ReceiptHandle: m.ReceiptHandle,
        VisibilityTimeout: 0,
      }));
      const result = await this.#call('dead-letter release', () =>
        this.#client.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.#dlqUrl, Entries: entries }),
        ),
      );
      if (result.Failed?.length) {
        const detail = result.Failed.map((f) => `${f.Code}: ${f.Message}`).join('; ');
        throw new AdapterError('SQS', 'dead-letter release', new Error(detail));
      }
    }
  }

  async #receive(
    queueUrl: string,
    operation: string,
    options: { maxMessages: number; visibilityTimeoutSeconds?: number; waitSeconds?: number },
  ): Promise<SqsMessage[]> {
    const result = await this.#call(operation, () =>
      this.#client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(Math.max(Math.trunc(options.maxMessages), 1), SQS_BATCH),
          VisibilityTimeout: options.visibilityTimeoutSeconds,
          WaitTimeSeconds: options.waitSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          MessageAttributeNames: ['All'],
        }),
      ),
    );
    return result.Messages ?? [];
  }

  async #attributes(
    queueUrl: string,
    names: ('ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible')[],
  ) {
    const result = await this.#call('depth', () =>
      this.#client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names })),
    );
    return result.Attributes ?? {};
  }

  #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return adapterCall('SQS', operation, run);
  }
}

function toReceived(message: SqsMessage): ReceivedMessage {
  const system = message.Attributes ?? {};
  return {
    transportId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    receiveCount: Number(system.ApproximateReceiveCount ?? 1),
    sentAt: new Date(Number(system.SentTimestamp ?? Date.now())),
    attributes: flattenAttributes(message.MessageAttributes),
  };
}

/** String and Number attributes as their text; Binary ones as base64. */
function flattenAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value.StringValue !== undefined) flat[name] = value.StringValue;
    else if (value.BinaryValue !== undefined) flat[name] = Buffer.from(value.BinaryValue).toString('base64');
  }
  return flat;
}

/** SendMessage accepts only DataType and a value; received attributes carry list fields too. */
function copyAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (!attributes) return undefined;
  const copy: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    copy[name] =
      value.BinaryValue !== undefined
        ? { DataType: value.DataType, BinaryValue: value.BinaryValue }
        : { DataType: value.DataType, StringValue: value.StringValue };
  }
  return copy;
}
