import {
  AdapterError,
  type Message,
  type MessagePublisher,
  messageAttributes,
  ulidGenerator,
} from '@rez/core';
import { UnknownQueueError } from '../errors';
import type { SqliteDatabase } from './database';
import { groupCommit } from './group-commit';
import { SqliteQueue } from './queue';

export interface CreateQueueOptions {
  name: string;
  /** Where a message goes once it was received `maxReceiveCount` times (SQS redrive policy). */
  deadLetter?: { queue: string; maxReceiveCount: number };
  /** Default visibility timeout of a receive (SQS's queue attribute), seconds; default 30. */
  visibilityTimeoutSeconds?: number;
}

/**
 * An embedded SNS + SQS on SQLite. Topics fan out to the queues subscribed
 * to them (raw delivery: the body is the message JSON, with `type` and
 * `stage` as message attributes). Topic, queue and subscription rows are
 * durable and created idempotently, so every process that opens the
 * database declares the same topology.
 *
 * @example
 * const bus = new SqliteBus(openDatabase('.rez/rez.db'));
 * const queue = bus.createQueue({ name: 'work', deadLetter: { queue: 'work-dlq', maxReceiveCount: 5 } });
 * bus.subscribe('rez', 'work');
 * await bus.publisher('rez').publish(message);
 */
export class SqliteBus {
  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  /** In-process wake-ups for long polls; other processes are noticed by polling. */
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #insert;
  readonly #subscribers;
  readonly #publishTx;

  constructor(db: SqliteDatabase, options: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#insert = db.prepare(
      `INSERT INTO bus_messages (transport_id, queue, body, attributes, sent_at, visible_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#subscribers = db.prepare('SELECT queue FROM bus_subscriptions WHERE topic = ?').pluck();
    // Time-ordered ids (monotonic ULIDs), not random UUIDs: bus_messages' unique index on
    // transport_id (and the receipt handles, which start with it) then grows at its right
    // edge, so a group commit writes one leaf page of it instead of one page per message.
    const ids = ulidGenerator();
    this.#publishTx = (topic: string, messages: readonly Message[]) => {
      const queues = this.#subscribers.all(topic) as string[];
      const now = this.#now();
      for (const message of messages) {
        const body = JSON.stringify(message);
        const attributes = JSON.stringify(messageAttributes(message));
        for (const queue of queues) this.#insert.run(ids.next(now), queue, body, attributes, now, now);
      }
      return queues;
    };
  }

  get db(): SqliteDatabase {
    return this.#db;
  }

  /** Declares a queue (and its dead-letter queue); idempotent. */
  createQueue(options: CreateQueueOptions): SqliteQueue {
    const upsert = this.#db.prepare(
      `INSERT INTO bus_queues (name, dead_letter_queue, max_receive_count) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET dead_letter_queue = excluded.dead_letter_queue,
         max_receive_count = excluded.max_receive_count`,
    );
    this.#db.transaction(() => {
      if (options.deadLetter) upsert.run(options.deadLetter.queue, null, null);
      upsert.run(
        options.name,
        options.deadLetter?.queue ?? null,
        options.deadLetter?.maxReceiveCount ?? null,
      );
    })();
    return this.queue(options.name, options.visibilityTimeoutSeconds);
  }

  /** A handle on an existing queue. */
  queue(name: string, visibilityTimeoutSeconds = 30): SqliteQueue {
    const row = this.#db
      .prepare('SELECT dead_letter_queue AS dlq, max_receive_count AS max FROM bus_queues WHERE name = ?')
      .get(name) as { dlq: string | null; max: number | null } | undefined;
    if (!row) throw new UnknownQueueError(name);
    return new SqliteQueue(this.#db, {
      name,
      deadLetter: row.dlq && row.max ? { queue: row.dlq, maxReceiveCount: row.max } : undefined,
      visibilityTimeoutSeconds,
      now: this.#now,
      waitForMessages: (ms) => this.#wait(name, ms),
      notify: () => this.#wake(name),
    });
  }

  /** Subscribes `queue` to `topic` (raw message delivery); idempotent. */
  subscribe(topic: string, queue: string): void {
    this.#db
      .prepare('INSERT OR IGNORE INTO bus_subscriptions (topic, queue) VALUES (?, ?)')
      .run(topic, queue);
  }

  /** The producer side for `topic`: the port every producer publishes through. */
  publisher(topic: string): SqlitePublisher {
    return new SqlitePublisher(this, topic);
  }

  /** Fans `messages` out to every queue subscribed to `topic`, atomically; resolves once committed. */
  async publishMany(topic: string, messages: readonly Message[]): Promise<void> {
    let queues: string[];
    try {
      queues = await groupCommit(this.#db).run(() => this.#publishTx(topic, messages));
    } catch (cause) {
      throw new AdapterError('SQLite bus', `publish to ${topic}`, cause);
    }
    for (const queue of queues) this.#wake(queue);
  }

  #wait(queue: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(queue) ?? new Set();
      this.#waiters.set(queue, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  #wake(queue: string): void {
    for (const wake of [...(this.#waiters.get(queue) ?? [])]) wake();
  }
}

/** MessagePublisher for one topic of a {@link SqliteBus}. */
export class SqlitePublisher implements MessagePublisher {
  constructor(
    readonly bus: SqliteBus,
    readonly topic: string,
  ) {}

  async publish(message: Message): Promise<void> {
    await this.bus.publishMany(this.topic, [message]);
  }
}
