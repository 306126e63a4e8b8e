import { SqliteBus, type SqlitePublisher } from './sqlite/bus';
import { openDatabase, type SqliteDatabase } from './sqlite/database';
import { groupCommit } from './sqlite/group-commit';
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
  close(): void;
}

/**
 * Opens the data dir's database with the topic → queue → DLQ topology
 * declared. The runtime and the CLI both call this, each in its own
 * process, on the same file.
 */
export function openLocalPipeline(options: {
  dbFile: string;
  synchronous?: 'NORMAL' | 'FULL';
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
}): LocalPipeline {
  const db = openDatabase(options.dbFile, { synchronous: options.synchronous });
  const bus = new SqliteBus(db);
  const queue = bus.createQueue({
    name: WORKER_QUEUE,
    deadLetter: { queue: WORKER_DLQ, maxReceiveCount: options.maxReceiveCount },
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
  });
  bus.subscribe(TOPIC, WORKER_QUEUE);
  return {
    db,
    bus,
    queue,
    publisher: bus.publisher(TOPIC),
    store: new SqliteMessageStore(db),
    close: () => {
      groupCommit(db).flush();
      db.close();
    },
  };
}
