import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATA_DIR_MODE, DATA_FILE_MODE, keepPrivate } from '../data-dir';
import { DatabaseOpenError } from '../errors';
import { BUS_SCHEMA } from './bus-schema';
import { PUSH_STATE_SCHEMA } from './push-state-schema';
import { SCHEDULE_SCHEMA } from './schedule-schema';
import { STORE_SCHEMA } from './store-schema';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /**
   * NORMAL (default): in WAL mode a commit is durable against a process
   * crash (SIGKILL, OOM, Ctrl-C) because the WAL is written before commit
   * returns; only an OS crash or power loss can drop the last commits (never
   * corrupt the file). FULL adds an fsync per commit for power-loss
   * durability, at a large cost in commits per second.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** How long a writer waits for another process's lock before SQLITE_BUSY (default 5 s). */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) the Rez database: WAL, so the CLI and the
 * runtime can read while the other writes; busy_timeout, so two processes
 * writing wait for each other instead of failing; both schemas migrated.
 * The file is its owner's alone (0600, created so before SQLite sees it, or
 * tightened if an earlier version left it wider): SQLite gives the WAL and
 * SHM files the database's own mode.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  try {
    if (file !== ':memory:') {
      mkdirSync(path.dirname(file), { recursive: true, mode: DATA_DIR_MODE });
      closeSync(openSync(file, 'a', DATA_FILE_MODE));
      for (const own of [file, `${file}-wal`, `${file}-shm`]) keepPrivate(own);
    }
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // Checkpoint every ~16 MB of WAL instead of 4 MB: each checkpoint fsyncs, and
    // at thousands of messages a second the default checkpoints several times a second.
    db.pragma('wal_autocheckpoint = 4000');
    // Savepoint (statement) journals in memory: every group-commit write runs in a
    // savepoint, and with the default on-disk temp file each page it touches first is
    // copied there by a write() syscall (≈ 10 pages a message). They only serve to undo
    // one write inside the open transaction; a crash discards that transaction anyway.
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (cause) {
    throw new DatabaseOpenError(file, cause);
  }
}

function migrate(db: SqliteDatabase): void {
  // IMMEDIATE: two processes opening a fresh file at once must not both create.
  db.transaction(() => {
    db.exec(BUS_SCHEMA);
    db.exec(STORE_SCHEMA);
    db.exec(SCHEDULE_SCHEMA);
    db.exec(PUSH_STATE_SCHEMA);
  }).immediate();
}
