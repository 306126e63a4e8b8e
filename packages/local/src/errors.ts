import { RezError } from '@rez/core';

/** Base of the errors @rez/local raises on purpose. */
export class LocalError extends RezError {}

/** The SQLite database could not be opened or migrated. */
export class DatabaseOpenError extends LocalError {
  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot open the SQLite database at ${path}: ${reason}`, {
      code: 'DATABASE_OPEN_FAILED',
      permanent: true,
      cause,
      context: { path },
    });
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
