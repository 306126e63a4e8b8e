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
/** EventBridge Scheduler's limit on ScheduleExpression. */
export const MAX_EXPRESSION_LENGTH = 256;

export type ScheduleExpression =
  | { kind: 'rate'; everyMs: number }
  /** Six EventBridge fields: minutes hours day-of-month month day-of-week year. */
  | { kind: 'cron'; fields: [string, string, string, string, string, string] }
  /** Local date-time in the schedule's time zone. */
  | { kind: 'at'; localTime: string };

/**
 * Parses an EventBridge Scheduler expression and refuses, with EventBridge's
 * reason, what its CreateSchedule would refuse: rate() with a value below 1
 * or the wrong number of its unit, cron() without 6 fields, a value out of
 * a field's range or a wildcard the field does not take, both or neither of
 * day-of-month and day-of-week given, at() with an impossible date. Throws
 * an Error that says what is wrong.
 */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  if (expression.length > MAX_EXPRESSION_LENGTH)
    throw new Error(`must be at most ${MAX_EXPRESSION_LENGTH} characters`);
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
    fields.forEach((field, index) => {
      checkCronField(CRON_FIELDS[index], field);
    });
    return { kind: 'cron', fields: fields as [string, string, string, string, string, string] };
  }
  const at = AT.exec(expression);
  if (at) {
    if (!isCalendarTime(at[1])) throw new Error(`at(): ${at[1]} is not a real date and time`);
    return { kind: 'at', localTime: at[1] };
  }
  throw new Error(`"${expression}" is not rate(N unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)`);
}

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Wildcards beyond "," "-" "*" that EventBridge accepts in this field. */
  extra: string;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** EventBridge's cron fields: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html */
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, extra: '/' },
  { name: 'hours', min: 0, max: 23, extra: '/' },
  { name: 'day-of-month', min: 1, max: 31, extra: '?/LW' },
  { name: 'month', min: 1, max: 12, extra: '/', names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, extra: '?L#', names: DAYS },
  { name: 'year', min: 1970, max: 2199, extra: '/' },
];

/** One cron field against EventBridge's rules for it; throws naming the field and what is wrong. */
function checkCronField(field: CronField, text: string): void {
  const fail = (why: string): never => {
    throw new Error(`cron() ${field.name} "${text}": ${why}`);
  };
  const allowed = new RegExp(`^[0-9A-Za-z,*\\-${field.extra.replace(/[?/#]/g, '\\$&')}]+$`);
  if (!allowed.test(text))
    fail(
      `takes only ${field.min}–${field.max}${field.names ? ` or ${field.names[0]}–${field.names.at(-1)}` : ''} and the wildcards , - * ${field.extra.split('').join(' ')}`,
    );
  if (text === '?' || text === '*' || text === 'L' || text === 'LW') {
    if (text !== '*' && !field.extra.includes(text[0])) fail(`"${text}" is not allowed in this field`);
    if (text === 'LW' && !field.extra.includes('W')) fail('"LW" is not allowed in this field');
    return;
  }
  if (text.includes('#')) {
    if (text.includes(',')) fail('"#" allows one expression only (not a list)');
    const [day, nth] = text.split('#');
    checkValue(field, day, fail);
    if (!/^[1-5]$/.test(nth)) fail(`"#${nth}": the nth weekday must be 1–5`);
    return;
  }
  for (const part of text.split(',')) {
    const [range, step, ...more] = part.split('/');
    if (more.length) fail(`"${part}" has more than one "/"`);
    if (step !== undefined && !/^\d+$/.test(step)) fail(`"/${step}": the increment must be a number`);
    if (step !== undefined && Number(step) < 1) fail('the increment must be at least 1');
    if (range === '*') continue;
    const ends = range.split('-');
    if (ends.length > 2) fail(`"${range}" is not a value or a range`);
    for (const end of ends) checkValue(field, end, fail);
  }
}

function checkValue(field: CronField, text: string, fail: (why: string) => never): void {
  let value = text;
  if (field.name === 'day-of-week' && /^[1-7]L$/.test(value)) return;
  if (field.name === 'day-of-month' && /^\d{1,2}W$/.test(value)) value = value.slice(0, -1);
  const named = field.names?.indexOf(value.toUpperCase()) ?? -1;
  if (named >= 0) return;
  if (!/^\d+$/.test(value)) fail(`"${text}" is not a value of this field`);
  const n = Number(value);
  if (n < field.min || n > field.max) fail(`${n} is outside ${field.min}–${field.max}`);
}

/** Whether "yyyy-mm-ddThh:mm:ss" names a real calendar date and time. */
function isCalendarTime(text: string): boolean {
  const date = new Date(`${text}Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === text;
}

/** Whether `zone` names an IANA time zone this runtime (and EventBridge) knows. */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,49}$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An EventBridge schedule name: letters, digits, - _ . (at most 64). */
export const scheduleNameSchema = v.pipe(
  v.string(),
  v.regex(/^[0-9A-Za-z_.-]{1,64}$/, 'must be 1–64 letters, digits, "-", "_" or "."'),
);

/**
 * A schedule definition's schema, built on the first parseSchedules. Built
 * at module level, it would be in every bundle that imports core (esbuild
 * keeps a top-level call it cannot prove pure), with every rule it
 * references: the worker, which never reads a definition, would carry the
 * whole expression checker.
 */
const definitionSchema = () =>
  strictObject({
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
    timezone: v.pipe(
      v.string(),
      v.check(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Warsaw'),
    ),
    type: messageTypeSchema,
    payload: jsonObject(),
  });
let definitionsSchema: v.ArraySchema<ReturnType<typeof definitionSchema>, undefined> | undefined;

/** Validates a list of schedule definitions (names must be unique). */
export function parseSchedules(input: unknown): ScheduleDefinition[] {
  definitionsSchema ??= v.array(definitionSchema());
  const schedules = parseWith(definitionsSchema, input, 'schedules');
  const seen = new Set<string>();
  for (const schedule of schedules) {
    if (seen.has(schedule.name)) throw new Error(`schedule name "${schedule.name}" is used twice`);
    seen.add(schedule.name);
  }
  return schedules;
}

/**
 * The input EventBridge Scheduler passes to the scheduler Lambda at every
 * run. A user schedule's input also carries the `revision` of the stored
 * definition it was made from: the Lambda fires only while the store still
 * holds that revision.
 */
export const scheduleInvocationSchema = strictObject({
  schedule: scheduleNameSchema,
  type: messageTypeSchema,
  payload: v.optional(jsonObject(), () => ({})),
  revision: v.optional(v.pipe(v.string(), v.regex(/^[0-9A-Za-z]{1,64}$/, 'must be 1–64 letters or digits'))),
});

export type ScheduleInvocation = v.InferOutput<typeof scheduleInvocationSchema>;

/**
 * The invocation input for a schedule: what EventBridge stores and replays.
 * With a `revision` (a user schedule's), the input names the definition it came from.
 */
export function scheduleInvocation(
  schedule: Pick<ScheduleDefinition, 'name' | 'type' | 'payload'> & { revision?: string },
): ScheduleInvocation {
  return {
    schedule: schedule.name,
    type: schedule.type,
    payload: schedule.payload,
    ...(schedule.revision === undefined ? {} : { revision: schedule.revision }),
  };
}
