import type { Statement } from 'better-sqlite3';
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
 *
 * The savepoint is the group's own (prepared once): a write's function runs
 * directly inside it, so callers do not wrap their work in `db.transaction`
 * (a second, nested savepoint per write, and a new wrapper per call).
 */
export class GroupCommit {
  readonly #db: SqliteDatabase;
  readonly #begin: Statement;
  readonly #commit: Statement;
  readonly #savepoint: Statement;
  readonly #release: Statement;
  readonly #rollbackTo: Statement;
  #open = false;
  readonly #hooks: CommitHook[] = [];
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#savepoint = db.prepare('SAVEPOINT rez_write');
    this.#release = db.prepare('RELEASE rez_write');
    this.#rollbackTo = db.prepare('ROLLBACK TO rez_write');
  }

  /**
   * Work deferred to the end of the group: `beforeCommit` runs inside the
   * transaction just before COMMIT (a failure fails the whole group, as a
   * failed COMMIT does); `discard` runs instead when the group cannot commit.
   */
  addHook(hook: CommitHook): void {
    this.#hooks.push(hook);
  }

  /** Runs `work` atomically now (a savepoint) and resolves with its result once committed. */
  run<T>(work: () => T): Promise<T> {
    let result: T;
    try {
      if (!this.#open) {
        this.#begin.run();
        this.#open = true;
        setImmediate(() => this.flush());
      } else if (!this.#db.inTransaction) {
        // SQLite rolled the whole group back (an I/O error, a full disk): its
        // writers learn it at flush; this write must not run outside a transaction.
        throw new Error('the group transaction was rolled back by SQLite');
      }
      result = this.#inSavepoint(work);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve: () => resolve(result), reject }));
  }

  #inSavepoint<T>(work: () => T): T {
    this.#savepoint.run();
    let result: T;
    try {
      result = work();
    } catch (error) {
      // Undo this write only; the others of the group stay. If SQLite already
      // rolled the transaction back, there is nothing left to undo here.
      if (this.#db.inTransaction) {
        this.#rollbackTo.run();
        this.#release.run();
      }
      throw error;
    }
    this.#release.run();
    return result;
  }

  /** Commits the open group now (also called before the database closes). */
  flush(): void {
    if (!this.#open) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    this.#open = false;
    try {
      if (!this.#db.inTransaction) throw new Error('the group transaction was rolled back by SQLite');
      for (const hook of this.#hooks) hook.beforeCommit();
      this.#commit.run();
    } catch (error) {
      for (const hook of this.#hooks) hook.discard();
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      for (const w of waiters) w.reject(error);
      return;
    }
    for (const w of waiters) w.resolve();
  }
}

export interface CommitHook {
  beforeCommit(): void;
  discard(): void;
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
