import type { ReceivedMessage } from '@rez/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqliteQueue } from './sqlite/queue';
import { type EventSource, sqsEvent } from './sqs-event';

/** The worker Lambda's signature: what createWorkerHandler returns. */
export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/**
 * Takes a received batch to the handler: `start(handler)` builds the SQS
 * event here and calls it; a handler running elsewhere (the worker thread)
 * takes the batch as received and builds the same event on its side.
 */
export type BatchDelivery = (batch: ReceivedMessage[], source: EventSource) => Promise<SQSBatchResponse>;

export interface PollerOptions {
  queue: SqliteQueue;
  /** Batches in flight at once (default 4). Each holds up to `batchSize` records. */
  concurrency?: number;
  /** Records per batch, 1 … 10 like an SQS event source mapping (default 10). */
  batchSize?: number;
  /** How long a received batch stays hidden (default 30 s); a crash makes it visible again after this. */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait of an idle receive (default 1 s); also bounds how long stop waits for idle lanes. */
  waitSeconds?: number;
  /** Hides a failed record for this long before it is retried (default 2^receiveCount s, at most 5 min). */
  backoffSeconds?: (receiveCount: number) => number;
  region?: string;
  /** Told about errors of the poller itself (receive failed, handler threw); default prints them. */
  onError?: (error: unknown) => void;
}

export const defaultBackoffSeconds = (receiveCount: number): number => Math.min(2 ** receiveCount, 300);

/**
 * Feeds the embedded queue to the worker Lambda's handler, as the SQS event
 * source mapping does on AWS: receive up to 10, hand them over as an SQS
 * event, delete the records that succeeded and retry the batchItemFailures
 * later, with a backoff that grows with the receive count. Several batches
 * run at once ("lanes"), because one batch waits on ntfy most of its time.
 */
export class Poller {
  readonly #queue: SqliteQueue;
  readonly #options: Required<Omit<PollerOptions, 'queue'>>;
  readonly #source: EventSource;
  /** Records whose redelivery the handler already delayed (ntfy 429): their backoff must not be overwritten. */
  readonly #delayed = new Set<string>();
  #running = false;
  #lanes: Promise<void>[] = [];
  #deliver: BatchDelivery | undefined;

  constructor(options: PollerOptions) {
    this.#queue = options.queue;
    this.#options = {
      concurrency: options.concurrency ?? 4,
      batchSize: Math.min(Math.max(options.batchSize ?? 10, 1), 10),
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
      waitSeconds: options.waitSeconds ?? 1,
      backoffSeconds: options.backoffSeconds ?? defaultBackoffSeconds,
      region: options.region ?? 'local',
      onError: options.onError ?? ((error) => console.error('rez: poller:', error)),
    };
    this.#source = {
      arn: `arn:aws:sqs:${this.#options.region}:000000000000:${this.#queue.name}`,
      region: this.#options.region,
    };
  }

  /**
   * WorkerDeps.delayRedelivery: keeps a record hidden for `seconds` (ntfy's
   * Retry-After after a 429) through the queue's changeVisibility.
   */
  readonly delayRedelivery = async (record: SQSRecord, seconds: number): Promise<void> => {
    this.#delayed.add(record.receiptHandle);
    await this.#queue.changeVisibility(record.receiptHandle, seconds);
  };

  /**
   * WorkerDeps.deadLetter: a permanent failure goes to the DLQ now, in one
   * write (the acknowledgement that follows finds nothing left to delete).
   * A stale handle moves nothing: that copy is someone else's now, and is
   * retried.
   */
  readonly deadLetter = async (record: SQSRecord): Promise<void> => {
    await this.#queue.deadLetter(record.receiptHandle);
  };

  get running(): boolean {
    return this.#running;
  }

  /** Feeds `handler` SQS events, as the event source mapping does. */
  start(handler: BatchHandler): void {
    this.startDelivering((batch, source) => handler(sqsEvent(batch, source)));
  }

  /** Feeds batches as received to `deliver` (which builds the SQS event itself; see sqsEvent). */
  startDelivering(deliver: BatchDelivery): void {
    if (this.#running) return;
    this.#deliver = deliver;
    this.#running = true;
    this.#lanes = Array.from({ length: this.#options.concurrency }, () => this.#lane());
  }

  /**
   * Stops receiving and waits up to `timeoutMs` for the batches in flight.
   * Whatever is still unfinished stays hidden until its visibility timeout
   * and is then received again: nothing is lost. Resolves true when drained.
   */
  async stop(timeoutMs = 10_000): Promise<boolean> {
    if (!this.#running) return true;
    this.#running = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([Promise.all(this.#lanes).then(() => true as const), timeout]);
    clearTimeout(timer);
    return drained;
  }

  async #lane(): Promise<void> {
    const { batchSize, visibilityTimeoutSeconds, waitSeconds } = this.#options;
    // Receipt handles of the last batch's successes: deleted by the next receive, in the same write.
    let acknowledge: string[] = [];
    while (this.#running) {
      let batch: ReceivedMessage[];
      try {
        batch = await this.#queue.receive({
          maxMessages: batchSize,
          visibilityTimeoutSeconds,
          waitSeconds,
          deleteFirst: acknowledge,
        });
        acknowledge = [];
      } catch (error) {
        // The acknowledgements are tried again with the next receive.
        this.#options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (batch.length === 0) continue;
      if (!this.#running) {
        // Received while stopping: give them back at once rather than start work we may not finish.
        for (const m of batch) await this.#queue.changeVisibility(m.receiptHandle, 0).catch(() => {});
        return;
      }
      acknowledge = await this.#process(batch);
    }
    if (acknowledge.length > 0) {
      // Stopping: acknowledge the last batch now (if this fails, those copies come back and are
      // recognised as done by the store's claim).
      await this.#queue.deleteMany(acknowledge).catch((error: unknown) => this.#options.onError(error));
    }
  }

  /**
   * Runs one batch through the handler and schedules the retry of its
   * failures; returns the receipt handles of its successes, for the lane to
   * acknowledge with its next receive.
   */
  async #process(batch: ReceivedMessage[]): Promise<string[]> {
    const deliver = this.#deliver;
    if (!deliver) return [];
    let failed: Set<string>;
    try {
      const response = await deliver(batch, this.#source);
      failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    } catch (error) {
      // A handler that throws fails the whole batch, as on Lambda.
      this.#options.onError(error);
      failed = new Set(batch.map((m) => m.transportId));
    }
    try {
      for (const m of batch) {
        if (!failed.has(m.transportId)) continue;
        if (this.#delayed.delete(m.receiptHandle)) continue;
        await this.#queue.changeVisibility(m.receiptHandle, this.#options.backoffSeconds(m.receiveCount));
      }
    } catch (error) {
      // The copies stay hidden until their visibility timeout and come back: retried, not lost.
      this.#options.onError(error);
    }
    for (const m of batch) this.#delayed.delete(m.receiptHandle);
    return batch.filter((m) => !failed.has(m.transportId)).map((m) => m.receiptHandle);
  }
}
