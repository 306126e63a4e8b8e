import { randomUUID } from 'node:crypto';
import {
  AdapterError,
  type DeadLetter,
  type MessageQueue,
  type QueueDepth,
  type ReceivedMessage,
  type RedriveResult,
} from '@rez/core';
import type { SqliteDatabase } from './database';
import { type GroupCommit, groupCommit } from './group-commit';

/** While a long poll waits, how often it looks for messages other processes published. */
const POLL_INTERVAL_MS = 50;

interface Row {
  seq: number;
  transport_id: string;
  body: string;
  attributes: string;
  sent_at: number;
  receive_count: number;
}

export interface SqliteQueueOptions {
  name: string;
  deadLetter?: { queue: string; maxReceiveCount: number };
  visibilityTimeoutSeconds: number;
  now: () => number;
  waitForMessages: (ms: number) => Promise<void>;
  notify: () => void;
}

/**
 * One queue of the embedded bus with SQS semantics: a receive hides each
 * copy for the visibility timeout and counts the receive; delete acknowledges;
 * a copy already received maxReceiveCount times is moved to the dead-letter
 * queue by the next receive that finds it (as SQS does) instead of being
 * returned. Every operation is one transaction; receive and redrive take the
 * write lock up front (IMMEDIATE) so two processes never hand out one copy twice.
 */
export class SqliteQueue implements MessageQueue {
  readonly name: string;
  readonly deadLetterQueue: string | undefined;
  readonly maxReceiveCount: number | undefined;
  readonly #options: SqliteQueueOptions;
  readonly #statements;
  readonly #receiveTx;
  readonly #deleteTx;
  readonly #group: GroupCommit;
  /** Told about each copy a receive moved to the dead-letter queue (after the move committed). */
  onDeadLetter: ((letter: DeadLetter) => void) | undefined;

  constructor(db: SqliteDatabase, options: SqliteQueueOptions) {
    this.#options = options;
    this.#group = groupCommit(db);
    this.name = options.name;
    this.deadLetterQueue = options.deadLetter?.queue;
    this.maxReceiveCount = options.deadLetter?.maxReceiveCount;
    const s = {
      ready: db.prepare(
        `SELECT seq, transport_id, body, attributes, sent_at, receive_count FROM bus_messages
         WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?`,
      ),
      markReceived: db.prepare(
        'UPDATE bus_messages SET receive_count = receive_count + 1, visible_at = ?, receipt_handle = ? WHERE seq = ?',
      ),
      moveToDead: db.prepare(
        'UPDATE bus_messages SET queue = ?, visible_at = ?, receipt_handle = NULL WHERE seq = ?',
      ),
      moveReceivedToDead: db.prepare(
        `UPDATE bus_messages SET queue = ?, visible_at = ?, receipt_handle = NULL
         WHERE receipt_handle = ? AND queue = ?
         RETURNING transport_id, body, receive_count, sent_at`,
      ),
      delete: db.prepare('DELETE FROM bus_messages WHERE receipt_handle = ?'),
      changeVisibility: db.prepare('UPDATE bus_messages SET visible_at = ? WHERE receipt_handle = ?'),
      visible: db.prepare('SELECT count(*) FROM bus_messages WHERE queue = ? AND visible_at <= ?').pluck(),
      hidden: db.prepare('SELECT count(*) FROM bus_messages WHERE queue = ? AND visible_at > ?').pluck(),
      all: db.prepare('SELECT count(*) FROM bus_messages WHERE queue = ?').pluck(),
      dead: db.prepare(
        `SELECT transport_id, body, receive_count, sent_at FROM bus_messages
         WHERE queue = ? ORDER BY visible_at, seq LIMIT ?`,
      ),
      redriveAll: db.prepare(
        `UPDATE bus_messages SET queue = ?, visible_at = ?, receive_count = 0, receipt_handle = NULL
         WHERE queue = ?`,
      ),
      redriveOne: db.prepare(
        `UPDATE bus_messages SET queue = ?, visible_at = ?, receive_count = 0, receipt_handle = NULL
         WHERE queue = ? AND transport_id = ?`,
      ),
      // A dead letter's body may be anything: only one that is JSON has a message id.
      redriveMessage: db.prepare(
        `UPDATE bus_messages SET queue = ?, visible_at = ?, receive_count = 0, receipt_handle = NULL
         WHERE queue = ? AND (CASE WHEN json_valid(body) THEN json_extract(body, '$.id') END) = ?`,
      ),
    };
    this.#statements = s;
    this.#receiveTx = (max: number, visibilityMs: number) => {
      const now = options.now();
      const out: ReceivedMessage[] = [];
      const dead: DeadLetter[] = [];
      // Rows moved to the DLQ do not fill the batch, so look again until full or empty.
      while (out.length < max) {
        const rows = s.ready.all(this.name, now, max - out.length) as Row[];
        if (rows.length === 0) break;
        for (const row of rows) {
          if (this.deadLetterQueue && this.maxReceiveCount && row.receive_count >= this.maxReceiveCount) {
            s.moveToDead.run(this.deadLetterQueue, now, row.seq);
            dead.push({
              transportId: row.transport_id,
              body: row.body,
              receiveCount: row.receive_count,
              sentAt: new Date(row.sent_at),
            });
            continue;
          }
          const receiptHandle = `${row.transport_id}:${randomUUID()}`;
          s.markReceived.run(now + visibilityMs, receiptHandle, row.seq);
          out.push({
            transportId: row.transport_id,
            receiptHandle,
            body: row.body,
            receiveCount: row.receive_count + 1,
            sentAt: new Date(row.sent_at),
            attributes: JSON.parse(row.attributes) as Record<string, string>,
          });
        }
      }
      return { out, dead };
    };
    this.#deleteTx = (handles: readonly string[]) => {
      let deleted = 0;
      for (const handle of handles) deleted += s.delete.run(handle).changes;
      return deleted;
    };
  }

  /**
   * `deleteFirst`: receipt handles to acknowledge in the same write, before
   * receiving (the poller's finished batch), so a lane commits once per batch
   * instead of twice. They are deleted even if nothing is received.
   */
  async receive(options: {
    maxMessages: number;
    visibilityTimeoutSeconds?: number;
    waitSeconds?: number;
    deleteFirst?: readonly string[];
  }): Promise<ReceivedMessage[]> {
    const max = Math.min(Math.max(Math.trunc(options.maxMessages), 1), 10);
    const visibilityMs = (options.visibilityTimeoutSeconds ?? this.#options.visibilityTimeoutSeconds) * 1000;
    const deadline = Date.now() + (options.waitSeconds ?? 0) * 1000;
    let toDelete = options.deleteFirst ?? [];
    for (;;) {
      const handles = toDelete;
      const { out: got, dead } = await this.#write('receive', () => {
        if (handles.length > 0) this.#deleteTx(handles);
        return this.#receiveTx(max, visibilityMs);
      });
      toDelete = [];
      for (const letter of dead) this.onDeadLetter?.(letter);
      const left = deadline - Date.now();
      if (got.length > 0 || left <= 0) return got;
      await this.#options.waitForMessages(Math.min(left, POLL_INTERVAL_MS));
    }
  }

  /**
   * Acknowledges a received copy. A stale handle (the copy was received
   * again since) deletes nothing, like SQS's "succeeds but may not delete".
   */
  async delete(receiptHandle: string): Promise<void> {
    await this.deleteMany([receiptHandle]);
  }

  /** Acknowledges many copies in one transaction (the poller's successes); returns how many were deleted. */
  async deleteMany(receiptHandles: readonly string[]): Promise<number> {
    if (receiptHandles.length === 0) return 0;
    return this.#write('delete', () => this.#deleteTx(receiptHandles));
  }

  /**
   * Moves a received copy to the dead-letter queue now, whatever its receive
   * count: the worker's `deadLetter` for a permanent failure (retrying cannot
   * help). One write; the handle then acknowledges nothing more. False when
   * the handle is stale (the copy was received again since) or the queue has
   * no DLQ: the copy then stays where it is, and is retried.
   */
  async deadLetter(receiptHandle: string): Promise<boolean> {
    const dlq = this.deadLetterQueue;
    if (!dlq) return false;
    const row = await this.#write(
      'deadLetter',
      () =>
        this.#statements.moveReceivedToDead.get(dlq, this.#options.now(), receiptHandle, this.name) as
          | { transport_id: string; body: string; receive_count: number; sent_at: number }
          | undefined,
    );
    if (!row) return false;
    this.onDeadLetter?.({
      transportId: row.transport_id,
      body: row.body,
      receiveCount: row.receive_count,
      sentAt: new Date(row.sent_at),
    });
    return true;
  }

  /** Fractional seconds are kept to the millisecond (tests use short backoffs). A stale handle changes nothing. */
  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    const visibleAt = this.#options.now() + Math.max(0, seconds) * 1000;
    await this.#write('changeVisibility', () =>
      this.#statements.changeVisibility.run(visibleAt, receiptHandle),
    );
    if (seconds <= 0) this.#options.notify();
  }

  async depth(): Promise<QueueDepth> {
    const s = this.#statements;
    const now = this.#options.now();
    return this.#run('depth', () => ({
      visible: s.visible.get(this.name, now) as number,
      inFlight: s.hidden.get(this.name, now) as number,
      dead: this.deadLetterQueue ? (s.all.get(this.deadLetterQueue) as number) : 0,
    }));
  }

  /** In the order they died (oldest first). */
  async listDeadLetters(options: { limit: number }): Promise<DeadLetter[]> {
    if (!this.deadLetterQueue) return [];
    const rows = this.#run(
      'listDeadLetters',
      () =>
        this.#statements.dead.all(this.deadLetterQueue, Math.max(1, options.limit)) as {
          transport_id: string;
          body: string;
          receive_count: number;
          sent_at: number;
        }[],
    );
    return rows.map((r) => ({
      transportId: r.transport_id,
      body: r.body,
      receiveCount: r.receive_count,
      sentAt: new Date(r.sent_at),
    }));
  }

  /** Moves dead letters back, visible at once with a fresh receive count (as SQS's redrive does). */
  async redrive(options: { transportIds?: string[]; messageIds?: string[] } = {}): Promise<RedriveResult> {
    const dlq = this.deadLetterQueue;
    if (!dlq) return { moved: 0, more: false };
    const s = this.#statements;
    const moved = await this.#write('redrive', () => {
      const now = this.#options.now();
      if (!options.transportIds && !options.messageIds) return s.redriveAll.run(this.name, now, dlq).changes;
      let count = 0;
      for (const id of options.transportIds ?? []) count += s.redriveOne.run(this.name, now, dlq, id).changes;
      for (const id of options.messageIds ?? [])
        count += s.redriveMessage.run(this.name, now, dlq, id).changes;
      return count;
    });
    if (moved > 0) this.#options.notify();
    // One transaction moves them all: nothing is ever left for another call.
    return { moved, more: false };
  }

  /** A write, committed with the others of this event-loop turn (see GroupCommit). */
  async #write<T>(operation: string, work: () => T): Promise<T> {
    try {
      return await this.#group.run(work);
    } catch (cause) {
      throw new AdapterError(`SQLite queue "${this.name}"`, operation, cause);
    }
  }

  /** Translates SQLite's errors at the adapter boundary, naming the operation. */
  #run<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (cause) {
      throw new AdapterError(`SQLite queue "${this.name}"`, operation, cause);
    }
  }
}
