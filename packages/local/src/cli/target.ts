import {
  builtInRegistry,
  type DeadLetter,
  type ListQuery,
  type Message,
  type MessageRecord,
  type NewMessage,
  type Page,
  type QueueDepth,
  type RedriveResult,
  replayMessage,
  submitMessage,
  systemClock,
  UserSchedules,
  ulidGenerator,
} from '@rez/core';
import { createSchedulerHandler, type SchedulerResult } from '@rez/scheduler';
import { type LocalConfig, readLocalConfig } from '../config';
import { openLocalPipeline } from '../pipeline';
import { SchedulerLoop, type ScheduleStatus } from '../scheduler-loop';
import { SqliteUserScheduleStore } from '../sqlite/schedule-store';

/**
 * What the CLI talks to. `LocalTarget` works on the data dir's SQLite
 * database, next to a running `npm start` (whose poller delivers what the
 * CLI queues). A deployed stack would be another implementation — SNS
 * publish, DynamoDB reads, SQS DLQ redrive — behind the same interface.
 */
export interface RezTarget {
  /** One line saying what this target is, for the CLI's output. */
  readonly description: string;
  send(input: Omit<NewMessage, 'stage'>): Promise<Message>;
  /** Sends `original` again as a new message with `payload` (see replayMessage). */
  replay(original: MessageRecord, payload: Record<string, unknown>, by: string): Promise<Message>;
  /** The built-in schedules, with their last and next runs. */
  schedules(): Promise<ScheduleStatus[]>;
  /** Fires a built-in schedule now. */
  runSchedule(name: string): Promise<SchedulerResult>;
  /** The schedules people manage. */
  readonly userSchedules: UserSchedules;
  list(query: ListQuery): Promise<Page<MessageRecord>>;
  get(id: string): Promise<{ record: MessageRecord; children: MessageRecord[] } | null>;
  deadLetters(limit: number): Promise<DeadLetter[]>;
  depth(): Promise<QueueDepth>;
  /** Moves dead letters back (all, or the given transport ids); says how many moved and whether more remain. */
  redrive(transportIds?: string[]): Promise<RedriveResult>;
  /** Ends every console session of `user` (a consoleUserKey); returns their new session epoch. */
  endConsoleSessions(user: string): Promise<number>;
  close(): void;
}

export class LocalTarget implements RezTarget {
  readonly description: string;
  readonly config: LocalConfig;
  readonly #pipeline;
  readonly #scheduler: SchedulerLoop;
  readonly #registry = builtInRegistry();
  readonly #ids = ulidGenerator();
  readonly userSchedules: UserSchedules;

  constructor(env = process.env) {
    this.config = readLocalConfig(env);
    this.description = `local data dir ${this.config.dataDir} (stage ${this.config.stage})`;
    this.#pipeline = openLocalPipeline({
      dbFile: this.config.dbFile,
      synchronous: this.config.synchronous,
      ...this.config.poller,
    });
    const { store, publisher, db } = this.#pipeline;
    const schedules = new SqliteUserScheduleStore(db);
    const deps = {
      registry: this.#registry,
      store,
      bus: publisher,
      clock: systemClock,
      ids: this.#ids,
      stage: this.config.stage,
    };
    this.#scheduler = new SchedulerLoop({
      db,
      schedules: this.config.schedules,
      invoke: createSchedulerHandler({ ...deps, schedules }),
    });
    // No platform locally: the running `npm start` loop reads these definitions from the same database.
    this.userSchedules = new UserSchedules({
      ...deps,
      schedules,
      builtIn: this.config.schedules,
      limit: this.config.userScheduleLimit,
    });
  }

  replay(original: MessageRecord, payload: Record<string, unknown>, by: string): Promise<Message> {
    const { store, publisher } = this.#pipeline;
    return replayMessage(
      original,
      { payload, created_by: by, stage: this.config.stage },
      { registry: this.#registry, clock: systemClock, ids: this.#ids, store, bus: publisher },
    );
  }

  send(input: Omit<NewMessage, 'stage'>): Promise<Message> {
    const { store, publisher } = this.#pipeline;
    return submitMessage(
      { ...input, stage: this.config.stage },
      { registry: this.#registry, clock: systemClock, ids: this.#ids, store, bus: publisher },
    );
  }

  async schedules(): Promise<ScheduleStatus[]> {
    return this.#scheduler.list();
  }

  runSchedule(name: string): Promise<SchedulerResult> {
    return this.#scheduler.runNow(name);
  }

  list(query: ListQuery): Promise<Page<MessageRecord>> {
    return this.#pipeline.store.list(query);
  }

  async get(id: string): Promise<{ record: MessageRecord; children: MessageRecord[] } | null> {
    const record = await this.#pipeline.store.get(id);
    return record ? { record, children: await this.#pipeline.store.children(id) } : null;
  }

  deadLetters(limit: number): Promise<DeadLetter[]> {
    return this.#pipeline.queue.listDeadLetters({ limit });
  }

  depth(): Promise<QueueDepth> {
    return this.#pipeline.queue.depth();
  }

  redrive(transportIds?: string[]): Promise<RedriveResult> {
    return this.#pipeline.queue.redrive(transportIds ? { transportIds } : {});
  }

  endConsoleSessions(user: string): Promise<number> {
    return this.#pipeline.store.endConsoleSessions(user);
  }

  close(): void {
    this.#pipeline.close();
  }
}
