import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
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
  type RedriveResult,
} from '@rez/core';
import { adapterCall } from '../errors';
import { changeVisibility } from './sqs-redelivery';

export interface SqsQueueOptions {
  client: SQSClient;
  /** The queue the worker consumes. */
  queueUrl: string;
  /** Its dead-letter queue (the RedrivePolicy target). */
  deadLetterQueueUrl: string;
  /**
   * The bound of one redrive call: it stops after `maxMessages` or once
   * `budgetMs` have passed (checked between batches of ten), and says
   * `more`. Default 1,000 messages, 10 s: one console request stays well
   * within the web function's 30 s.
   */
  redriveBudget?: { maxMessages: number; budgetMs: number };
}

const DEFAULT_REDRIVE_BUDGET = { maxMessages: 1000, budgetMs: 10_000 };

/** SQS returns at most ten messages per receive. */
const SQS_BATCH = 10;
/** How long peeked or redriven DLQ copies stay hidden while we work through the DLQ. */
const DLQ_HOLD_SECONDS = 30;

/**
 * The queue side of the bus on SQS: the worker's queue and its DLQ.
 *
 * Dead letters are handled with plain receive / send / delete, because SQS
 * has no read-only peek and StartMessageMoveTask cannot move a chosen subset
 * (nor says how many it moved until later). Consequences worth knowing:
 * - {@link SqsQueue.listDeadLetters} receives the DLQ copies and makes them
 *   visible again at once; each listing counts one receive on every copy it
 *   shows (ApproximateReceiveCount on the DLQ), and copies another client
 *   holds at that moment are not listed.
 * - {@link SqsQueue.redrive} sends a copy to the source queue before deleting
 *   the dead letter, so a failure in between leaves a duplicate rather than a
 *   loss; the store's claim makes the duplicate harmless.
 * - {@link SqsQueue.redrive} works through the DLQ ten at a time (receive,
 *   send each, delete the batch) and stops at its budget (`redriveBudget`)
 *   with `more: true`; nothing is held longer than one batch (or, when
 *   looking for chosen ids, than the call).
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
  readonly #budget: { maxMessages: number; budgetMs: number };

  constructor(options: SqsQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#dlqUrl = options.deadLetterQueueUrl;
    this.#budget = options.redriveBudget ?? DEFAULT_REDRIVE_BUDGET;
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

  async redrive(options: { transportIds?: string[]; messageIds?: string[] } = {}): Promise<RedriveResult> {
    const chosen = options.transportIds !== undefined || options.messageIds !== undefined;
    // Transport ids and message ids ("m:" prefixed) in one set: each found once, then the pass ends.
    const wanted = chosen
      ? new Set([...(options.transportIds ?? []), ...(options.messageIds ?? []).map((id) => `m:${id}`)])
      : null;
    if (wanted?.size === 0) return { moved: 0, more: false };
    const deadline = Date.now() + this.#budget.budgetMs;
    // Copies received but not asked for: hidden until the call ends, so a pass never sees one twice.
    const skipped: SqsMessage[] = [];
    let moved = 0;
    let more = false;
    try {
      for (;;) {
        if (wanted?.size === 0) break; // every id asked for was found
        if (moved >= this.#budget.maxMessages || (moved + skipped.length > 0 && Date.now() >= deadline)) {
          more = true;
          break;
        }
        const batch = await this.#receive(this.#dlqUrl, 'dead-letter receive', {
          maxMessages: Math.min(SQS_BATCH, this.#budget.maxMessages - moved),
          visibilityTimeoutSeconds: DLQ_HOLD_SECONDS,
          waitSeconds: 1,
        });
        if (batch.length === 0) break;
        const moving: SqsMessage[] = [];
        for (const message of batch) {
          const id = message.MessageId ?? '';
          if (!wanted) moving.push(message);
          else if (wanted.delete(id) || wanted.delete(`m:${messageIdOf(message.Body)}`)) moving.push(message);
          else skipped.push(message);
        }
        moved += await this.#moveBack(moving);
      }
    } finally {
      await this.#release(skipped);
    }
    return { moved, more };
  }

  /**
   * Sends each copy to the source queue, then deletes from the DLQ those
   * sent. A send that fails leaves its copy hidden in the DLQ, to reappear
   * after DLQ_HOLD_SECONDS; the first failure is thrown once the others are
   * settled, so nothing is deleted unsent.
   */
  async #moveBack(messages: SqsMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    const sent = await Promise.allSettled(
      messages.map((message) =>
        this.#call('redrive (send to source queue)', () =>
          this.#client.send(
            new SendMessageCommand({
              QueueUrl: this.#queueUrl,
              MessageBody: message.Body ?? '',
              MessageAttributes: copyAttributes(message.MessageAttributes),
            }),
          ),
        ),
      ),
    );
    const done = messages.filter((_, index) => sent[index].status === 'fulfilled');
    if (done.length > 0) {
      const result = await this.#call('redrive (delete dead letters)', () =>
        this.#client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#dlqUrl,
            Entries: done.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle })),
          }),
        ),
      );
      if (result.Failed?.length) {
        // Sent but still in the DLQ: a duplicate later, never a loss (the store's claim absorbs it).
        const detail = result.Failed.map((f) => `${f.Code}: ${f.Message}`).join('; ');
        throw new AdapterError('SQS', 'redrive (delete dead letters)', new Error(detail));
      }
    }
    const failure = sent.find((outcome) => outcome.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    return done.length;
  }

  /**
   * Receives DLQ copies (hidden for DLQ_HOLD_SECONDS so one pass never sees
   * a copy twice) until `limit` are held or the DLQ gives no more.
   * ApproximateNumberOfMessages bounds the loop so the common case ends
   * without waiting out an empty long poll.
   */
  async #holdDeadLetters(limit: number): Promise<SqsMessage[]> {
    const { ApproximateNumberOfMessages } = await this.#attributes(this.#dlqUrl, [
      'ApproximateNumberOfMessages',
    ]);
    const expected = Math.min(limit, Number(ApproximateNumberOfMessages ?? 0));
    const held = new Map<string, SqsMessage>();
    while (held.size < expected) {
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

/** The Rez message id in a dead letter's body, when the body is a JSON object with one. */
function messageIdOf(body: string | undefined): string | undefined {
  try {
    const id = (JSON.parse(body ?? '') as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
