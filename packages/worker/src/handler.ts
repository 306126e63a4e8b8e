import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  describeError,
  type ErrorSummary,
  type Message,
  NtfyError,
  type ProcessorDeps,
  processMessage,
  rejectedInputId,
} from '@rez/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeRecordBody, receiveCount } from './decode';
import { noopMetrics, type PipelineMetrics, silentLogger, type WorkerLogger } from './observability';

export interface WorkerDeps extends ProcessorDeps {
  /** Records processed at once within one batch (default 10). */
  concurrency?: number;
  logger?: WorkerLogger;
  metrics?: PipelineMetrics;
  /**
   * Asks the queue not to redeliver `record` for `seconds` (SQS
   * ChangeMessageVisibility; the embedded queue locally). Used when ntfy
   * rate-limits us: a 429 must never be retried at once.
   */
  delayRedelivery?: (record: SQSRecord, seconds: number) => Promise<void>;
  /**
   * Puts `record` in the dead-letter queue now, because its failure is
   * permanent (`RezError.permanent`: bad input, a 4xx from ntfy, a
   * `PermanentFailure` a handler threw) and another receive cannot help — as
   * BullMQ's UnrecoverableError skips the retries. The worker then reports
   * the record processed, so the queue deletes its own copy. On AWS: SQS
   * SendMessage to the DLQ (`sqsDeadLetter` in @rez/aws), the event source
   * mapping deletes the original; locally the embedded queue moves the copy.
   * If it throws, the record is reported failed and retried as usual.
   * Without it, a permanent failure is retried like any other until the
   * queue's maxReceiveCount moves it.
   */
  deadLetter?: (record: SQSRecord, reason: ErrorSummary) => Promise<void>;
  /**
   * The queue's maxReceiveCount: a record that fails on this receive goes to
   * the DLQ next, so its failure alert (push.deadLettered) is sent now.
   * Unset, only permanent failures moved by `deadLetter` raise one.
   */
  maxReceiveCount?: number;
}

/**
 * The worker Lambda: processes an SQS batch, records concurrently (bounded),
 * and answers with the records that failed (ReportBatchItemFailures), so one
 * bad record never fails its neighbours. A record that failed for good (a
 * permanent error) goes to the DLQ at once through `deadLetter`; any other
 * failed record is retried by the queue and lands in the DLQ after
 * maxReceiveCount. Its reason is in the store every time. Nothing is
 * acknowledged without being processed, or recorded as failed and moved to
 * the DLQ.
 *
 * @example
 * export const handler = createWorkerHandler({ registry, store, bus, notifier, clock, stage: 'dev' });
 */
export function createWorkerHandler(
  deps: WorkerDeps,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? noopMetrics;
  const concurrency = deps.concurrency ?? 10;

  const processRecord = async (record: SQSRecord): Promise<void> => {
    let message: Message;
    try {
      message = decodeRecordBody(record.body, { stage: deps.stage, clock: deps.clock });
    } catch (error) {
      const summary = describeError(error);
      // Not a message: keep it under the transport's id so it is visible and counted.
      await deps.store.reject({
        id: rejectedInputId(record.messageId),
        raw: record.body,
        stage: deps.stage,
        now: deps.clock.now(),
        error: summary,
      });
      metrics.record('failed', 'invalid');
      logger.warn('record is not a Rez message', { sqsMessageId: record.messageId, reason: summary.reason });
      await settleFailure(record, error, summary);
      return;
    }

    metrics.record('received', message.type);
    try {
      const result = await processMessage(message, deps);
      if (result.status === 'completed' || result.status === 'emitted')
        metrics.record('completed', message.type);
      logger.info('message processed', { messageId: message.id, type: message.type, outcome: result.status });
    } catch (error) {
      metrics.record('failed', message.type);
      const summary = describeError(error);
      logger.error('message failed', {
        messageId: message.id,
        type: message.type,
        attempt: receiveCount(record),
        code: summary.code,
        reason: summary.reason,
      });
      if (error instanceof NtfyError && error.kind === 'rate_limited' && deps.delayRedelivery) {
        const seconds = Math.ceil((error.details.retryAfterMs ?? 0) / 1000);
        await deps
          .delayRedelivery(record, Math.min(seconds, 43_200))
          .catch((cause) =>
            logger.warn('could not delay redelivery', { messageId: message.id, reason: String(cause) }),
          );
      }
      // A failure that ends in the DLQ (moved now, or on the queue's next receive) is pushed with a Retry button.
      const lastReceive = receiveCount(record) >= (deps.maxReceiveCount ?? Number.POSITIVE_INFINITY);
      let moved = false;
      try {
        await settleFailure(record, error, summary);
        moved = true;
      } finally {
        if (moved || lastReceive)
          await deps.push?.deadLettered(message, summary, receiveCount(record)).catch((cause: unknown) =>
            logger.warn('could not send the failure alert', {
              messageId: message.id,
              reason: String(cause),
            }),
          );
      }
    }
  };

  /**
   * After a failure was recorded: a permanent one goes to the DLQ now and the
   * record counts as handled; anything else (or a failed move) is thrown, so
   * the record is reported failed and the queue retries it.
   */
  const settleFailure = async (record: SQSRecord, error: unknown, summary: ErrorSummary): Promise<void> => {
    if (!summary.permanent || !deps.deadLetter) throw error;
    try {
      await deps.deadLetter(record, summary);
    } catch (cause) {
      logger.error('could not move the record to the dead-letter queue; the queue will retry it', {
        sqsMessageId: record.messageId,
        reason: cause instanceof Error ? cause.message : String(cause),
      });
      throw error;
    }
    logger.warn('permanent failure: record moved to the dead-letter queue', {
      sqsMessageId: record.messageId,
      code: summary.code,
    });
  };

  return async (event, context) => {
    // One processor per invocation: it keeps per-batch state, and the local
    // runtime may run several batches at once through the same handler.
    const processor = new BatchProcessor(EventType.SQS);
    // The bound is per batch, as its doc says: a handler shared by several
    // batches at once (the local runtime's lanes) must not make them queue
    // behind one another's records.
    const limit = limiter(concurrency);
    try {
      return await processPartialResponse(
        event,
        (record: SQSRecord) => limit(() => processRecord(record)),
        processor,
        {
          context,
          throwOnFullBatchFailure: false,
        },
      );
    } finally {
      metrics.flush();
    }
  };
}

/** Runs at most `max` tasks at once. */
function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
