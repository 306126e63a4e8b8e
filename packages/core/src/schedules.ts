import * as v from 'valibot';
import { messageTypeSchema } from './message';
import { jsonObject, parseWith, strictObject } from './schema';

/**
 * A recurring job, defined once: the Pulumi program turns each into an
 * EventBridge Scheduler schedule, the local runtime's scheduler loop fires
 * the same definitions. Expressions use EventBridge Scheduler syntax.
 */
export interface ScheduleDefinition {
  /** EventBridge schedule name: letters, digits, - _ . (at most 64). */
  name: string;
  description: string;
  /** `rate(24 hours)`, `cron(0 9 * * ? *)` (6 fields) or `at(2026-12-31T09:00:00)`. */
  expression: string;
  /** IANA time zone the cron or at expression is read in. */
  timezone: string;
  /** Message type the schedule sends, and its payload. */
  type: string;
  payload: Record<string, unknown>;
}

/** The schedules Rez runs everywhere. Stages may override them in their Pulumi config. */
export const SCHEDULES: readonly ScheduleDefinition[] = [
  {
    name: 'hello-world',
    description: 'A "hello world" push every 24 hours, to show the pipeline is alive',
    expression: 'rate(24 hours)',
    timezone: 'UTC',
    type: 'hello_world',
    payload: {},
  },
];

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export type ScheduleExpression =
  | { kind: 'rate'; everyMs: number }
  /** Six EventBridge fields: minutes hours day-of-month month day-of-week year. */
  | { kind: 'cron'; fields: [string, string, string, string, string, string] }
  /** Local date-time in the schedule's time zone. */
  | { kind: 'at'; localTime: string };

/** Parses an EventBridge Scheduler expression; throws an Error that says what form it expected. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2].replace(/s$/, '') as keyof typeof UNIT_MS;
    if (value < 1) throw new Error(`rate must be at least 1 ${unit}: "${expression}"`);
    if ((value === 1) !== !rate[2].endsWith('s')) {
      throw new Error(
        `EventBridge wants "rate(1 ${unit})" for one and "rate(N ${unit}s)" otherwise: "${expression}"`,
      );
    }
    return { kind: 'rate', everyMs: value * UNIT_MS[unit] };
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) {
      throw new Error(
        `cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}: "${expression}"`,
      );
    }
    if ((fields[2] === '?') === (fields[4] === '?')) {
      throw new Error(`cron(): exactly one of day-of-month and day-of-week must be "?": "${expression}"`);
    }
    return { kind: 'cron', fields: fields as [string, string, string, string, string, string] };
  }
  const at = AT.exec(expression);
  if (at) return { kind: 'at', localTime: at[1] };
  throw new Error(`"${expression}" is not rate(N unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)`);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An EventBridge schedule name: letters, digits, - _ . (at most 64). */
const scheduleNameSchema = v.pipe(
  v.string(),
  v.regex(/^[0-9A-Za-z_.-]{1,64}$/, 'must be 1–64 letters, digits, "-", "_" or "."'),
);

export const scheduleDefinitionSchema = strictObject({
  name: scheduleNameSchema,
  description: v.pipe(v.string(), v.maxLength(512)),
  expression: v.pipe(
    v.string(),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      try {
        parseScheduleExpression(dataset.value);
      } catch (error) {
        addIssue({ message: (error as Error).message });
      }
    }),
  ),
  timezone: v.pipe(v.string(), v.check(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Warsaw')),
  type: messageTypeSchema,
  payload: jsonObject(),
});

/** Validates a list of schedule definitions (names must be unique). */
export function parseSchedules(input: unknown): ScheduleDefinition[] {
  const schedules = parseWith(v.array(scheduleDefinitionSchema), input, 'schedules');
  const seen = new Set<string>();
  for (const schedule of schedules) {
    if (seen.has(schedule.name)) throw new Error(`schedule name "${schedule.name}" is used twice`);
    seen.add(schedule.name);
  }
  return schedules;
}

/** The input EventBridge Scheduler passes to the scheduler Lambda at every run. */
export const scheduleInvocationSchema = strictObject({
  schedule: scheduleNameSchema,
  type: messageTypeSchema,
  payload: v.optional(jsonObject(), () => ({})),
});

export type ScheduleInvocation = v.InferOutput<typeof scheduleInvocationSchema>;

/** The invocation input for a schedule: what EventBridge stores and replays. */
export function scheduleInvocation(schedule: ScheduleDefinition): ScheduleInvocation {
  return { schedule: schedule.name, type: schedule.type, payload: schedule.payload };
}
