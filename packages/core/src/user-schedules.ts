/**
 * Schedules people manage (the console's Schedules page, `npm run rez --
 * schedule …`), as opposed to the built-in {@link SCHEDULES} in code. A user
 * schedule is data: its definition lives in the message store (DynamoDB on
 * AWS, SQLite locally); on AWS each one is also a real EventBridge Scheduler
 * schedule in the stage's user schedule group (see {@link Scheduler}), whose
 * input carries the definition's `revision`, so the scheduler Lambda can
 * refuse a run the stored definition no longer stands behind.
 */
import * as v from 'valibot';
import type { Clock } from './clock';
import { ValidationError, type ValidationIssue } from './errors';
import { MAX_MESSAGE_BYTES } from './message';
import type { HandlerRegistry } from './registry';
import { nextRunAfter } from './schedule-times';
import {
  isTimeZone,
  parseScheduleExpression,
  type ScheduleDefinition,
  scheduleNameSchema,
} from './schedules';
import { isJsonObject, parseWith, strictObject } from './schema';

/** How many user schedules a stage may hold unless configured otherwise (REZ_USER_SCHEDULE_LIMIT). */
export const DEFAULT_USER_SCHEDULE_LIMIT = 100;

/**
 * The largest payload a schedule may carry: a message must fit in 256 KiB
 * with its envelope, and EventBridge Scheduler's target input in 256 KB.
 */
export const MAX_SCHEDULE_PAYLOAD_BYTES = MAX_MESSAGE_BYTES - 8 * 1024;

/**
 * What a person gives when creating or editing a schedule: a definition as
 * the built-in ones have (its name unique per stage, its payload checked by
 * the type's schema when saved), and whether it runs.
 */
export interface UserScheduleInput extends ScheduleDefinition {
  /** Paused schedules keep their definition and do not fire. */
  enabled: boolean;
}

/** One run of a user schedule, as its definition remembers the last one. */
export interface ScheduleRun {
  /** The message the run sent; null when it sent none. */
  message_id: string | null;
  /** RFC 3339 UTC. */
  at: string;
  /** `sent`: a message went out; `refused`: the definition did not allow it (why in `reason`); `failed`: sending failed. */
  outcome: 'sent' | 'refused' | 'failed';
  reason?: string;
  /** `schedule` for a run of the timetable; otherwise who ran it by hand (`web:ana`, `cli:ana`). */
  by: string;
}

/** A stored user schedule. */
export interface UserSchedule extends UserScheduleInput {
  /** A new id at every change of the definition; EventBridge's input carries the one it was given. */
  revision: string;
  /** Since when the schedule counts (RFC 3339): rate() runs every period from here, and no run falls at or before it. Set on create, on a change of expression or time zone, and on resume. */
  anchor: string;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
  last_run: ScheduleRun | null;
  /**
   * A change saved here and not yet confirmed by EventBridge (the call
   * failed without a rollback, or the process stopped in between): shown on
   * the console until repaired. Always null locally.
   */
  pending: { action: 'put' | 'delete'; since: string; error?: string } | null;
  /**
   * Timetable runs before `until` are skipped (recorded as refused): a
   * Snooze from a push. The definition and its revision stay as they are,
   * so EventBridge needs no change, and the schedule runs again by itself.
   * Absent (or null) when not snoozed; a resume ends it.
   */
  snoozed?: ScheduleSnooze | null;
}

/** A snooze of a user schedule (see UserSchedule.snoozed). */
export interface ScheduleSnooze {
  /** RFC 3339 UTC: the first moment the timetable fires again. */
  until: string;
  /** RFC 3339 UTC: when it was snoozed. */
  at: string;
  /** Who snoozed it: `push-action:snooze`. */
  by: string;
}

/**
 * Where user schedule definitions are kept: the message store's table on
 * AWS, the same SQLite database locally. Writes are conditional on the
 * revision the caller read, so two people editing one schedule cannot
 * silently overwrite each other. One conformance suite
 * (@rez/core/testing describeUserScheduleStoreConformance) runs against each.
 */
export interface UserScheduleStore {
  /** Every user schedule of the stage, by name. */
  list(): Promise<UserSchedule[]>;
  get(name: string): Promise<UserSchedule | null>;
  count(): Promise<number>;
  /**
   * Writes `schedule` when the stored revision is `expected` (null: when
   * none is stored). Returns false, writing nothing, when it is not.
   */
  save(schedule: UserSchedule, expected: string | null): Promise<boolean>;
  /** Deletes the schedule when its stored revision is `expected`; false when it is not (or it is gone). */
  delete(name: string, expected: string): Promise<boolean>;
  /** Records `run` as the last run when the stored revision is `revision`; false when it is not. */
  recordRun(name: string, revision: string, run: ScheduleRun): Promise<boolean>;
  /**
   * Sets (or, with null, ends) the schedule's snooze when the stored revision
   * is `revision`, keeping the revision; false when it is not (or it is gone).
   */
  snooze(name: string, revision: string, snooze: ScheduleSnooze | null): Promise<boolean>;
}

/**
 * The part of a {@link UserScheduleStore} firing a schedule uses: read its
 * definition, record its run. The scheduler Lambda holds only this, so its
 * bundle (and role) has no way to list, write or delete definitions.
 */
export type UserScheduleRuns = Pick<UserScheduleStore, 'get' | 'recordRun'>;

/** What the platform (EventBridge Scheduler) holds for a user schedule. */
export interface PlatformSchedule {
  /** The revision in its input; null when its input has none. */
  revision: string | null;
  enabled: boolean;
  expression: string;
  timezone: string;
}

/**
 * The platform that fires user schedules on AWS: EventBridge Scheduler
 * (adapter in @rez/aws). Locally there is none: the scheduler loop reads
 * the definitions from SQLite itself.
 */
export interface Scheduler {
  /** Creates the platform's schedule for `schedule`, or replaces it. `now` picks a rate()'s first run. */
  put(schedule: UserSchedule, now: Date): Promise<void>;
  /** Removes it; one that is already gone is fine. */
  remove(name: string): Promise<void>;
  /** What the platform holds for `name`, or null when it holds nothing. */
  describe(name: string): Promise<PlatformSchedule | null>;
}

/** Built on the first check (see schedules.ts definitionSchema: kept out of bundles that never check one). */
const inputSchema = () =>
  strictObject({
    name: scheduleNameSchema,
    description: v.pipe(v.string(), v.maxLength(512, 'must be at most 512 characters')),
    expression: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
    timezone: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
    type: v.string(),
    payload: v.custom<Record<string, unknown>>(isJsonObject, 'must be a JSON object'),
    enabled: v.boolean(),
  });
let builtInputSchema: ReturnType<typeof inputSchema> | undefined;

export interface ScheduleCheckDeps {
  registry: HandlerRegistry;
  clock: Clock;
  /** Names a user schedule may not take: the built-in schedules'. */
  reserved?: readonly string[];
}

/**
 * Checks a schedule as it would be saved and returns it with its payload as
 * the type's schema outputs it. Everything EventBridge would refuse is
 * refused here, before any API call, and so is an `at()` already past, a
 * cron() that never fires again, a type nobody handles and a payload its
 * schema refuses. Throws one ValidationError naming every bad field.
 */
export function checkUserSchedule(input: unknown, deps: ScheduleCheckDeps): UserScheduleInput {
  builtInputSchema ??= inputSchema();
  const schedule = parseWith(builtInputSchema, input, 'schedule');
  const issues: ValidationIssue[] = [];
  if (deps.reserved?.includes(schedule.name))
    issues.push({
      path: 'name',
      message: `"${schedule.name}" is a built-in schedule's name; choose another`,
    });
  issues.push(...timingIssues(schedule, deps.clock.now()));
  let payload = schedule.payload;
  if (!deps.registry.has(schedule.type)) {
    issues.push({
      path: 'type',
      message: `unknown message type "${schedule.type}"; known types: ${deps.registry.types().join(', ')}`,
    });
  } else {
    try {
      payload = deps.registry.parsePayload(schedule.type, schedule.payload);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
    const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
    if (bytes > MAX_SCHEDULE_PAYLOAD_BYTES)
      issues.push({
        path: 'payload',
        message: `is ${bytes} bytes; a schedule's payload may be at most ${MAX_SCHEDULE_PAYLOAD_BYTES}`,
      });
  }
  if (issues.length) throw new ValidationError('schedule', issues);
  return { ...schedule, payload };
}

/** What is wrong with an expression and time zone, by field (`expression`, `timezone`); empty when nothing. */
export function timingIssues(
  schedule: Pick<ScheduleDefinition, 'expression' | 'timezone'>,
  now: Date,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!isTimeZone(schedule.timezone))
    issues.push({
      path: 'timezone',
      message: `"${schedule.timezone}" is not an IANA time zone such as UTC or Europe/Berlin`,
    });
  let kind: string;
  try {
    kind = parseScheduleExpression(schedule.expression).kind;
  } catch (error) {
    issues.push({ path: 'expression', message: (error as Error).message });
    return issues;
  }
  if (issues.length) return issues;
  try {
    if (nextRunAfter(schedule, now) === null)
      issues.push({
        path: 'expression',
        message:
          kind === 'at'
            ? `${schedule.expression} is in the past in ${schedule.timezone} (now ${now.toISOString()})`
            : 'never fires again',
      });
  } catch (error) {
    issues.push({ path: 'expression', message: (error as Error).message });
  }
  return issues;
}

/**
 * The next `count` runs of a schedule after `after` (fewer for an `at()`
 * or a cron() that stops), counting rate() from `anchor`.
 */
export function upcomingRuns(
  schedule: Pick<ScheduleDefinition, 'expression' | 'timezone'>,
  after: Date,
  count: number,
  anchor = after,
): Date[] {
  const runs: Date[] = [];
  let cursor = after;
  while (runs.length < count) {
    const next = nextRunAfter(schedule, cursor, anchor);
    if (!next) break;
    runs.push(next);
    cursor = next;
  }
  return runs;
}

/**
 * Why a stored schedule cannot fire as it is — its type is no longer
 * handled, or its payload no longer passes the type's schema (the schema
 * changed since it was saved) — or null when it can. Such a schedule is
 * shown as broken and is not fired.
 */
export function brokenReason(schedule: UserSchedule, registry: HandlerRegistry): string | null {
  if (!registry.has(schedule.type)) return `message type "${schedule.type}" is no longer handled`;
  try {
    registry.parsePayload(schedule.type, schedule.payload);
    return null;
  } catch (error) {
    return `its payload no longer passes the ${schedule.type} schema: ${(error as Error).message}`;
  }
}
