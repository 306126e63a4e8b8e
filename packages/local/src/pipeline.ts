import { DatabaseOpenError } from './errors';
import { SqliteBus, type SqlitePublisher } from './sqlite/bus';
import { startWalCheckpointer } from './sqlite/checkpointer';
import { openDatabase, type SqliteDatabase } from './sqlite/database';
import { groupCommit } from './sqlite/group-commit';
import { SqlitePushStateStore } from './sqlite/push-state-store';
import type { SqliteQueue } from './sqlite/queue';
import { SqliteMessageStore } from './sqlite/store';

/** The local topology, mirroring the AWS one: one topic, the worker queue, its DLQ. */
export const TOPIC = 'rez-messages';
export const WORKER_QUEUE = 'rez-worker';
export const WORKER_DLQ = 'rez-worker-dlq';

export interface LocalPipeline {
  db: SqliteDatabase;
  bus: SqliteBus;
  queue: SqliteQueue;
  publisher: SqlitePublisher;
  store: SqliteMessageStore;
  /** The ntfy budget, used push action links and acknowledged alarms. */
  pushState: SqlitePushStateStore;
  close(): void;
}

/**
 * Opens the data dir's database with the topic → queue → DLQ topology
 * declared. The runtime and the CLI both call this, each in its own
 * process, on the same file. Any failure on the way — a damaged file shows
 * only when a statement first touches the damage — is a DatabaseOpenError
 * naming the file and what to do.
 */
export function openLocalPipeline(options: {
  dbFile: string;
  synchronous?: 'NORMAL' | 'FULL';
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  /**
   * Checkpoint the WAL from a worker thread instead of inside this
   * connection's commits (the long-running runtime; default false, e.g. the CLI).
   */
  backgroundCheckpoints?: boolean;
}): LocalPipeline {
  const db = openDatabase(options.dbFile, { synchronous: options.synchronous });
  try {
    return declare(db, options);
  } catch (cause) {
    db.close();
    throw cause instanceof DatabaseOpenError ? cause : new DatabaseOpenError(options.dbFile, cause);
  }
}

function declare(db: SqliteDatabase, options: Parameters<typeof openLocalPipeline>[0]): LocalPipeline {
  const bus = new SqliteBus(db);
  const queue = bus.createQueue({
    name: WORKER_QUEUE,
    deadLetter: { queue: WORKER_DLQ, maxReceiveCount: options.maxReceiveCount },
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
  });
  bus.subscribe(TOPIC, WORKER_QUEUE);
  const store = new SqliteMessageStore(db);
  // Last, once nothing above can fail: a thread started here must be stopped by close().
  let checkpointer: ReturnType<typeof startWalCheckpointer> | undefined;
  if (options.backgroundCheckpoints && options.dbFile !== ':memory:') {
    checkpointer = startWalCheckpointer(options.dbFile, { synchronous: options.synchronous });
    // Only a bound now (≈ 80 MB of WAL), should the thread fall behind or fail.
    db.pragma('wal_autocheckpoint = 20000');
  }
  return {
    db,
    bus,
    queue,
    publisher: bus.publisher(TOPIC),
    store,
    pushState: new SqlitePushStateStore(db),
    close: () => {
      groupCommit(db).flush();
      checkpointer?.stop();
      db.close();
    },
  };
}
