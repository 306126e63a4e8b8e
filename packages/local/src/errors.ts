import { hostname } from 'node:os';
import { RezError } from '@rez/core';

/** Base of the errors @rez/local raises on purpose. */
export class LocalError extends RezError {}

/**
 * The SQLite database could not be opened, migrated or prepared: names the
 * file, SQLite's (or the system's) error code, and what to do about it.
 */
export class DatabaseOpenError extends LocalError {
  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const code = errorCode(cause);
    super(
      `cannot open the SQLite database at ${path}: ${reason}${code ? ` (${code})` : ''}; ${databaseAdvice(code)}`,
      { code: 'DATABASE_OPEN_FAILED', permanent: true, cause, context: { path, cause: code } },
    );
  }
}

/** An error from SQLite (better-sqlite3's SqliteError: code SQLITE_…), as opposed to one of ours. */
export function isSqliteError(error: unknown): boolean {
  return errorCode(error)?.startsWith('SQLITE_') === true;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function databaseAdvice(code: string | undefined): string {
  const is = (...prefixes: string[]) => prefixes.some((p) => code?.startsWith(p));
  if (is('SQLITE_CORRUPT', 'SQLITE_NOTADB'))
    return 'the file is damaged or not a Rez database: restore it from a backup, or move it (with any rez.db-wal and rez.db-shm) aside to start with an empty one';
  if (is('SQLITE_FULL', 'ENOSPC')) return 'the disk is full: free some space, then start again';
  if (is('SQLITE_BUSY', 'SQLITE_LOCKED'))
    return 'another process holds it locked: stop that process, or wait and start again';
  if (
    is(
      'SQLITE_CANTOPEN',
      'SQLITE_PERM',
      'SQLITE_READONLY',
      'SQLITE_AUTH',
      'EISDIR',
      'ENOTDIR',
      'EACCES',
      'EPERM',
      'EROFS',
    )
  )
    return 'it must be a file this user can read and write, in a directory it can write (SQLite keeps rez.db-wal and rez.db-shm beside it)';
  return 'restore it from a backup, or move it aside to start with an empty one';
}

/** Another runtime holds the data dir (see lockDataDir); names it as it wrote itself down. */
export class RuntimeRunningError extends LocalError {
  constructor(dataDir: string, holder: { pid: number; host: string; started: string } | undefined) {
    const who = holder
      ? `pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}, started ${holder.started}`
      : 'its pid not written down yet';
    super(
      `another Rez runtime is running on the data dir ${dataDir} (${who}); stop it first, or set REZ_DATA_DIR to another directory (the CLI, npm run rez, works beside it)`,
      { code: 'RUNTIME_RUNNING', permanent: true, context: { dataDir, ...holder } },
    );
  }
}

/** A queue name that was never created on this bus. */
export class UnknownQueueError extends LocalError {
  constructor(name: string) {
    super(`queue "${name}" does not exist on this bus; create it with bus.createQueue()`, {
      code: 'UNKNOWN_QUEUE',
      permanent: true,
      context: { name },
    });
  }
}

/** `schedule run <name>` for a name that is not defined. */
export class UnknownScheduleError extends LocalError {
  constructor(name: string, known: readonly string[]) {
    super(`unknown schedule "${name}"; known schedules: ${known.join(', ') || '(none)'}`, {
      code: 'UNKNOWN_SCHEDULE',
      permanent: true,
      context: { name, known },
    });
  }
}

/** Command-line input the CLI refuses; `field` names the flag or argument. */
export class CliUsageError extends LocalError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`, { code: 'CLI_USAGE', permanent: true, context: { field } });
  }
}
