/**
 * Every error Rez raises on purpose is a {@link RezError}: it has a stable
 * `code` callers can branch on, a human `message` that names the problem, the
 * underlying `cause` and a `permanent` flag. Permanent errors will fail the
 * same way on every retry (bad input, unknown type, a 4xx from ntfy, a
 * {@link PermanentFailure}): the worker records the reason and moves the
 * message to the dead-letter queue at once, skipping the retries (its
 * `deadLetter` dependency) — nothing is dropped, and a redrive tries again
 * once the cause is fixed. Any other failure is retried by the queue.
 */
export class RezError extends Error {
  readonly code: string;
  readonly permanent: boolean;
  /**
   * True when the failed operation may still have taken effect (a request
   * that timed out or lost its connection after it was sent): whoever retries
   * must check for the effect rather than repeat it blindly.
   */
  readonly effectUnknown: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    options: {
      code: string;
      permanent: boolean;
      cause?: unknown;
      context?: Record<string, unknown>;
      effectUnknown?: boolean;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.permanent = options.permanent;
    this.effectUnknown = options.effectUnknown ?? false;
    this.context = options.context ?? {};
  }
}

/** One problem found in an input: where (a dotted path) and why. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Input that does not match its schema. `issues` lists each field and reason. */
export class ValidationError extends RezError {
  readonly issues: readonly ValidationIssue[];

  constructor(subject: string, issues: ValidationIssue[], cause?: unknown) {
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    super(`invalid ${subject}: ${detail}`, {
      code: 'VALIDATION_FAILED',
      permanent: true,
      cause,
      context: { subject },
    });
    this.issues = issues;
  }
}

/** A message whose serialized form exceeds the transport limit (256 KiB for SNS/SQS). */
export class MessageTooLargeError extends RezError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`message is ${bytes} bytes serialized; the limit is ${limit} bytes (SNS/SQS 256 KiB)`, {
      code: 'MESSAGE_TOO_LARGE',
      permanent: true,
      context: { bytes, limit },
    });
  }
}

export class UnknownMessageTypeError extends RezError {
  constructor(
    readonly type: string,
    known: readonly string[],
  ) {
    super(`unknown message type "${type}"; known types: ${known.join(', ')}`, {
      code: 'UNKNOWN_MESSAGE_TYPE',
      permanent: true,
      context: { type, known },
    });
  }
}

/** A message chain went deeper than the hop limit: most likely a handler loop. */
export class HopLimitExceededError extends RezError {
  constructor(
    readonly hop: number,
    readonly limit: number,
    messageId: string,
  ) {
    super(
      `hop limit exceeded: message ${messageId} at hop ${hop} would emit at hop ${hop + 1}, over the limit of ${limit} (a handler loop?)`,
      { code: 'HOP_LIMIT_EXCEEDED', permanent: true, context: { hop, limit, messageId } },
    );
  }
}

/** A message addressed to another stage than the one this process serves. */
export class StageMismatchError extends RezError {
  constructor(
    readonly messageStage: string,
    readonly serviceStage: string,
  ) {
    super(`message is for stage "${messageStage}" but this worker serves stage "${serviceStage}"; refused`, {
      code: 'STAGE_MISMATCH',
      permanent: true,
      context: { messageStage, serviceStage },
    });
  }
}

/** A required environment variable is missing or malformed. Names the variable. */
export class ConfigError extends RezError {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`configuration error: ${variable} ${problem}`, {
      code: 'CONFIG_INVALID',
      permanent: true,
      context: { variable },
    });
  }
}

/** Another delivery of the same message is being processed right now; retry later. */
export class MessageBusyError extends RezError {
  constructor(messageId: string) {
    super(`message ${messageId} is being processed by another delivery; will retry`, {
      code: 'MESSAGE_BUSY',
      permanent: false,
      context: { messageId },
    });
  }
}

/**
 * A store was asked to change a message it does not hold: complete or fail
 * of an id that was never put or claimed. Every MessageStore throws this one
 * error (the conformance suite asserts it); it means a bug in the caller, so
 * it is permanent.
 */
export class MessageNotStoredError extends RezError {
  constructor(
    readonly messageId: string,
    readonly operation: string,
  ) {
    super(`cannot ${operation} message ${messageId}: it is not in the message store`, {
      code: 'MESSAGE_NOT_STORED',
      permanent: true,
      context: { messageId, operation },
    });
  }
}

/**
 * Explicit "do not retry" failure a handler may throw (cf. BullMQ's
 * UnrecoverableError): the message goes to the dead-letter queue after this
 * one attempt, with `message` as its reason in the store.
 *
 * @example
 * if (response.status === 404) throw new PermanentFailure(`no such account: ${id}`);
 */
export class PermanentFailure extends RezError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'PERMANENT_FAILURE', permanent: true, cause });
  }
}

/** Store or bus failure in an adapter, with the vendor error as `cause`. */
export class AdapterError extends RezError {
  constructor(adapter: string, operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${adapter} ${operation} failed: ${reason}`, {
      code: 'ADAPTER_FAILED',
      permanent: false,
      cause,
      context: { adapter, operation },
    });
  }
}

/** Summarises any thrown value for the store: a stable code, a reason, permanence. */
export function describeError(error: unknown): { code: string; reason: string; permanent: boolean } {
  if (error instanceof RezError)
    return { code: error.code, reason: error.message, permanent: error.permanent };
  if (error instanceof Error)
    return { code: 'UNEXPECTED', reason: `${error.name}: ${error.message}`, permanent: false };
  return { code: 'UNEXPECTED', reason: String(error), permanent: false };
}

/** How a failed ntfy publish should be treated. */
export type NtfyFailureKind = 'rate_limited' | 'transient' | 'permanent';

/**
 * A publish ntfy did not accept. `rate_limited` must not be retried before
 * `retryAfterMs` (ntfy bans IPs that keep sending); `transient` (5xx,
 * network, timeout) may be retried with backoff; `permanent` (other 4xx)
 * will fail again and carries ntfy's own error text.
 */
export class NtfyError extends RezError {
  constructor(
    message: string,
    readonly kind: NtfyFailureKind,
    readonly details: {
      status?: number;
      ntfyCode?: number;
      retryAfterMs?: number;
      cause?: unknown;
      /** The request was sent and no answer came: ntfy may have accepted it. */
      effectUnknown?: boolean;
    } = {},
  ) {
    super(message, {
      effectUnknown: details.effectUnknown,
      code:
        kind === 'rate_limited'
          ? 'NTFY_RATE_LIMITED'
          : kind === 'transient'
            ? 'NTFY_UNAVAILABLE'
            : 'NTFY_REJECTED',
      permanent: kind === 'permanent',
      cause: details.cause,
      context: { status: details.status, ntfyCode: details.ntfyCode, retryAfterMs: details.retryAfterMs },
    });
  }
}

/** A user schedule that is not stored (anymore). */
export class ScheduleNotFoundError extends RezError {
  constructor(readonly schedule: string) {
    super(`no user schedule named "${schedule}"`, {
      code: 'SCHEDULE_NOT_FOUND',
      permanent: true,
      context: { schedule },
    });
  }
}

/**
 * A change to a user schedule lost to another one: the name is taken, or
 * someone changed the schedule since it was read. Nothing was written.
 */
export class ScheduleConflictError extends RezError {
  constructor(
    readonly schedule: string,
    problem: string,
  ) {
    super(`schedule "${schedule}" ${problem}`, {
      code: 'SCHEDULE_CONFLICT',
      permanent: true,
      context: { schedule },
    });
  }
}

/** The stage holds as many user schedules as it may (REZ_USER_SCHEDULE_LIMIT). */
export class ScheduleLimitError extends RezError {
  constructor(readonly limit: number) {
    super(
      `this stage already has ${limit} user schedules, its limit (REZ_USER_SCHEDULE_LIMIT); delete one first`,
      { code: 'SCHEDULE_LIMIT', permanent: true, context: { limit } },
    );
  }
}

/**
 * EventBridge Scheduler refused or failed a change of a user schedule.
 * `rolledBack`: the stored definition was put back as it was, so nothing
 * changed; otherwise it is marked pending until repaired.
 */
export class ScheduleSyncError extends RezError {
  constructor(
    readonly schedule: string,
    readonly rolledBack: boolean,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      rolledBack
        ? `EventBridge Scheduler did not take the change of schedule "${schedule}", so nothing changed: ${reason}`
        : `EventBridge Scheduler did not take the change of schedule "${schedule}"; it is marked pending until repaired: ${reason}`,
      { code: 'SCHEDULE_SYNC_FAILED', permanent: false, cause, context: { schedule, rolledBack } },
    );
  }
}

/** Why a push action link (or its action) was refused; the console answers each with its own 4xx. */
export type PushActionRefusal =
  | 'malformed'
  | 'tampered'
  | 'expired'
  | 'wrong-stage'
  | 'used'
  | 'missing-target'
  | 'not-applicable'
  | 'disabled';

/** A push action that was refused: nothing was changed. `refusal` says why. */
export class PushActionRefusedError extends RezError {
  constructor(
    readonly refusal: PushActionRefusal,
    message: string,
  ) {
    super(message, { code: 'PUSH_ACTION_REFUSED', permanent: true, context: { refusal } });
  }
}

/** The shared ntfy budget kept changing under this writer: transient, the push is retried later. */
export class BudgetContentionError extends RezError {
  constructor(key: string, tries: number) {
    super(`the ntfy budget ${key} changed under this worker ${tries} times in a row; retrying later`, {
      code: 'BUDGET_CONTENTION',
      permanent: false,
      context: { key, tries },
    });
  }
}

/** A digest push another digest has taken over from: it completes without sending (see PushBudget). */
export class DigestSupersededError extends RezError {
  constructor(digestId: string, reason: string) {
    super(`digest ${digestId} sends nothing: ${reason}`, {
      code: 'DIGEST_SUPERSEDED',
      permanent: true,
      context: { digestId },
    });
  }
}
