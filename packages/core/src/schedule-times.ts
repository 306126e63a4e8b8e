import { Cron } from 'croner';
import { parseScheduleExpression, type ScheduleDefinition } from './schedules';

const MAX_YEAR_PROBES = 400;

/**
 * When a schedule fires next, strictly after `after`; null when it never
 * will again (a past `at(...)`). Follows EventBridge Scheduler semantics:
 * rate() counts from `anchor` (the schedule's creation; locally, the first
 * start), cron() and at() are read in the schedule's time zone, and cron's
 * day-of-week runs 1–7 from Sunday. Across daylight saving time, as
 * EventBridge does: a cron time that does not exist on the day the clocks
 * go forward is skipped, and one that occurs twice when they go back fires
 * once (the first).
 */
export function nextRunAfter(
  schedule: Pick<ScheduleDefinition, 'expression' | 'timezone'>,
  after: Date,
  anchor = after,
): Date | null {
  const expression = parseScheduleExpression(schedule.expression);
  switch (expression.kind) {
    case 'rate': {
      const elapsed = after.getTime() - anchor.getTime();
      const periods = elapsed < 0 ? 0 : Math.floor(elapsed / expression.everyMs) + 1;
      return new Date(anchor.getTime() + periods * expression.everyMs);
    }
    case 'at': {
      const when = zonedTimeToUtc(expression.localTime, schedule.timezone);
      return when.getTime() > after.getTime() ? when : null;
    }
    case 'cron': {
      const [minutes, hours, dom, month, dow, year] = expression.fields;
      const cron = new Cron(
        `${minutes} ${hours} ${dom === '?' ? '*' : dom} ${month} ${dow === '?' ? '*' : toCronDayOfWeek(dow)}`,
        {
          timezone: schedule.timezone,
          paused: true,
          legacyMode: false,
          // EventBridge writes "0/15" (from 0, every 15) where croner wants "*/15".
          sloppyRanges: true,
        },
      );
      let cursor = after;
      for (let i = 0; i < MAX_YEAR_PROBES; i++) {
        const next = cron.nextRun(cursor);
        if (!next) return null;
        // croner moves a wall-clock time the spring-forward gap swallowed to after the gap;
        // EventBridge skips it: such a run's local time does not match the pattern.
        if (yearMatches(year, next, schedule.timezone) && cron.match(next)) return next;
        cursor = next;
      }
      return null;
    }
  }
}

/**
 * EventBridge numbers days 1 (SUN) … 7 (SAT); cron libraries use 0 … 6.
 * Names pass through; a lone "L" (the last day of the week) is Saturday.
 */
function toCronDayOfWeek(field: string): string {
  if (field.toUpperCase() === 'L') return '6';
  return field.replace(/\d+/g, (digits, offset: number, whole: string) => {
    // "#n" (nth weekday) keeps its n.
    if (offset > 0 && whole[offset - 1] === '#') return digits;
    const day = Number(digits);
    if (day < 1 || day > 7) throw new Error(`cron day-of-week must be 1–7 (SUN–SAT), got ${digits}`);
    return String(day - 1);
  });
}

function yearMatches(field: string, date: Date, timezone: string): boolean {
  if (field === '*') return true;
  const year = Number(new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric' }).format(date));
  return field.split(',').some((part) => {
    const [from, to] = part.split('-').map(Number);
    return to === undefined ? year === from : year >= from && year <= to;
  });
}

/** A wall-clock time ("2026-12-31T09:00:00") in `timezone`, as a UTC instant. */
export function zonedTimeToUtc(localTime: string, timezone: string): Date {
  const asUtc = Date.parse(`${localTime}Z`);
  // The zone's offset at that moment, found by formatting and comparing (two passes cover DST edges).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) guess = asUtc - offsetMs(guess, timezone);
  return new Date(guess);
}

function offsetMs(instant: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}
