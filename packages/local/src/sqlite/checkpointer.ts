import { Worker } from 'node:worker_threads';

/**
 * The worker thread's code: its own connection to the same file, running a
 * PASSIVE checkpoint every `intervalMs`. PASSIVE never takes the write lock
 * and never waits: it copies the frames already committed to the WAL into the
 * database file (fsyncing as `synchronous` says) while the main connection
 * keeps writing, and the main connection restarts the WAL from its start
 * once everything in it was copied.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = ' + workerData.synchronous);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    checkpoint.run();
  } catch {
    // Busy or I/O trouble: the next tick tries again; the main connection's
    // wal_autocheckpoint bounds the WAL meanwhile.
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export interface WalCheckpointer {
  /** Stops the thread (its connection closes); does not wait for it. */
  stop(): void;
}

/**
 * Moves WAL checkpoints off the event loop. With the main connection
 * checkpointing itself (wal_autocheckpoint), every few thousand pages one
 * COMMIT also copies the whole WAL into the database file and fsyncs it:
 * ≈ a third of the time the pipeline spends in COMMIT. A thread with its
 * own connection does that copy instead, concurrently; the main connection
 * keeps a large wal_autocheckpoint only as a bound should the thread fall
 * behind. Durability is unchanged: a checkpoint only copies committed pages.
 */
export function startWalCheckpointer(
  file: string,
  options: { synchronous?: 'NORMAL' | 'FULL'; intervalMs?: number; onError?: (error: unknown) => void } = {},
): WalCheckpointer {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: {
      driver: require.resolve('better-sqlite3'),
      file,
      synchronous: options.synchronous ?? 'NORMAL',
      intervalMs: options.intervalMs ?? 200,
    },
  });
  worker.unref();
  // A thread that cannot start (or dies) costs speed only: the main connection still checkpoints.
  worker.on('error', (error) => options.onError?.(error));
  return {
    stop: () => worker.postMessage('stop'),
  };
}
