import type { SqliteDatabase } from './database';

/**
 * Group commit for one connection. Every write of the bus and the store runs
 * in its own savepoint inside one shared transaction, committed on the next
 * turn of the event loop; each caller's promise resolves only once that
 * COMMIT returned, so "resolved" still means "durable". Without it every
 * small write is its own commit, and a commit writes every page it touched
 * (the row plus one page per index) to the WAL: at thousands of messages a
 * second that write traffic, not SQLite's CPU, is the limit. The shared
 * transaction is BEGIN IMMEDIATE and lasts one event-loop turn, so another
 * process (the CLI) waits at most that long, within busy_timeout.
 */
export class GroupCommit {
  readonly #db: SqliteDatabase;
  #open = false;
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Runs `work` atomically now (a savepoint) and resolves with its result once committed. */
  run<T>(work: () => T): Promise<T> {
    if (!this.#open) {
      this.#db.exec('BEGIN IMMEDIATE');
      this.#open = true;
      setImmediate(() => this.flush());
    }
    let result: T;
    try {
      result = this.#db.transaction(work)();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve: () => resolve(result), reject }));
  }

  /** Commits the open group now (also called before the database closes). */
  flush(): void {
    if (!this.#open) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    this.#open = false;
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      for (const w of waiters) w.reject(error);
      return;
    }
    for (const w of waiters) w.resolve();
  }
}

const groups = new WeakMap<SqliteDatabase, GroupCommit>();

/** The one GroupCommit of a connection, shared by its bus, queues and store. */
export function groupCommit(db: SqliteDatabase): GroupCommit {
  let group = groups.get(db);
  if (!group) {
    group = new GroupCommit(db);
    groups.set(db, group);
  }
  return group;
}
