import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATA_FILE_MODE, keepPrivate } from './data-dir';
import { RuntimeRunningError } from './errors';

export const LOCK_FILE = 'runtime.lock';
export const HOLDER_FILE = 'runtime.pid';

/** Who holds the lock, as the holder wrote it down. */
export interface LockHolder {
  pid: number;
  host: string;
  started: string;
}

export interface RuntimeLock {
  /** Lets the next runtime start here (also what the OS does when this process dies). */
  release(): void;
}

/**
 * Makes this process the one runtime on `dataDir`: two schedulers and two
 * consoles on one database is not what anyone means. The lock is SQLite's
 * own exclusive lock on `runtime.lock` (a POSIX advisory lock underneath),
 * held by an open transaction for as long as the runtime runs, so the
 * operating system drops it when the process ends in any way — a crash or
 * SIGKILL leaves nothing stuck, and no stale pid can refuse a start. The
 * holder writes its pid, host and start time to `runtime.pid` for the
 * refusal to name. The CLI takes no lock: it works on the same database
 * beside the runtime, by design.
 *
 * @throws RuntimeRunningError when another runtime holds the data dir.
 */
export function lockDataDir(dataDir: string): RuntimeLock {
  const file = path.join(dataDir, LOCK_FILE);
  const holderFile = path.join(dataDir, HOLDER_FILE);
  closeSync(openSync(file, 'a', DATA_FILE_MODE));
  keepPrivate(file);
  const db = new Database(file, { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY')
      throw new RuntimeRunningError(dataDir, readHolder(holderFile));
    throw error;
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  writeFileSync(holderFile, `${JSON.stringify(holder)}\n`, { mode: DATA_FILE_MODE });
  keepPrivate(holderFile);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      rmSync(holderFile, { force: true });
      db.close(); // rolls the transaction back: the lock goes with it
    },
  };
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof holder.pid === 'number'
      ? { pid: holder.pid, host: String(holder.host ?? '?'), started: String(holder.started ?? '?') }
      : undefined;
  } catch {
    return undefined; // the holder has not written it yet, or it was removed
  }
}
