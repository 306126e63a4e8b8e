import {
  nextRunAfter,
  parseScheduleExpression,
  parseSchedules,
  SCHEDULES,
  scheduleInvocation,
  zonedTimeToUtc,
} from '@rez/core';

describe('Constant: SCHEDULES', () => {
  it('defines hello-world every 24 hours, sending hello_world', () => {
    expect(parseSchedules(SCHEDULES)).toEqual([
      expect.objectContaining({
        name: 'hello-world',
        expression: 'rate(24 hours)',
        timezone: 'UTC',
        type: 'hello_world',
      }),
    ]);
    expect(scheduleInvocation(SCHEDULES[0])).toEqual({
      schedule: 'hello-world',
      type: 'hello_world',
      payload: {},
    });
  });
});

describe('Function: parseScheduleExpression', () => {
  it.each([
    ['rate(1 hour)', { kind: 'rate', everyMs: 3_600_000 }],
    ['rate(24 hours)', { kind: 'rate', everyMs: 86_400_000 }],
    ['rate(5 minutes)', { kind: 'rate', everyMs: 300_000 }],
    ['cron(0 9 ? * MON-FRI *)', { kind: 'cron', fields: ['0', '9', '?', '*', 'MON-FRI', '*'] }],
    ['at(2026-12-31T09:00:00)', { kind: 'at', localTime: '2026-12-31T09:00:00' }],
  ])('parses %s', (expression, expected) => {
    expect(parseScheduleExpression(expression)).toEqual(expected);
  });

  it.each([
    ['rate(1 hours)', /rate\(1 hour\)/],
    ['rate(0 minutes)', /at least 1/],
    ['cron(0 9 * * *)', /6 fields/],
    ['cron(0 9 * * MON *)', /exactly one of day-of-month and day-of-week must be "\?"/],
    ['every day', /is not rate/],
    ['cron(60 9 * * ? *)', /minutes "60": 60 is outside 0–59/],
    ['cron(0 24 * * ? *)', /hours "24": 24 is outside 0–23/],
    ['cron(0 9 0 * ? *)', /day-of-month "0": 0 is outside 1–31/],
    ['cron(0 9 * 13 ? *)', /month "13": 13 is outside 1–12/],
    ['cron(0 9 ? * 8 *)', /day-of-week "8": 8 is outside 1–7/],
    ['cron(0 9 * * ? 1969)', /year "1969": 1969 is outside 1970–2199/],
    ['cron(0 9 ? * 2#6 *)', /the nth weekday must be 1–5/],
    ['cron(0 9 ? * 2#1,3#2 *)', /"#" allows one expression only/],
    ['cron(0 L * * ? *)', /hours "L": "L" is not allowed/],
    ['cron(0 9 ? * MON/2 *)', /day-of-week "MON\/2": takes only/],
    ['cron(0/0 9 * * ? *)', /increment must be at least 1/],
    ['at(2026-02-30T09:00:00)', /not a real date and time/],
    [`rate(${'9'.repeat(300)} minutes)`, /at most 256 characters/],
  ])('refuses %s with a reason', (expression, reason) => {
    expect(() => parseScheduleExpression(expression)).toThrow(reason);
  });

  it('names the schedule field in a bad definition', () => {
    expect(() => parseSchedules([{ ...SCHEDULES[0], timezone: 'Mars/Olympus' }])).toThrow(
      /invalid schedules: 0\.timezone: must be an IANA time zone/,
    );
    expect(() => parseSchedules([SCHEDULES[0], SCHEDULES[0]])).toThrow(
      'schedule name "hello-world" is used twice',
    );
  });
});

describe('Function: nextRunAfter', () => {
  it('counts rate() from its anchor', () => {
    const anchor = new Date('2026-01-01T00:00:00Z');
    const schedule = { expression: 'rate(24 hours)', timezone: 'UTC' };
    expect(nextRunAfter(schedule, anchor, anchor)?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(nextRunAfter(schedule, new Date('2026-01-03T05:00:00Z'), anchor)?.toISOString()).toBe(
      '2026-01-04T00:00:00.000Z',
    );
  });

  it('reads cron() in the schedule’s time zone with EventBridge day numbers (1 = Sunday)', () => {
    // 09:00 Warsaw on Mondays (day 2) is 08:00 UTC in winter.
    const next = nextRunAfter(
      { expression: 'cron(0 9 ? * 2 *)', timezone: 'Europe/Warsaw' },
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(next?.toISOString()).toBe('2026-01-05T08:00:00.000Z');
    expect(next?.getUTCDay()).toBe(1);
  });

  it('honours the cron year field', () => {
    const next = nextRunAfter(
      { expression: 'cron(0 12 1 1 ? 2028)', timezone: 'UTC' },
      new Date('2026-06-01T00:00:00Z'),
    );
    expect(next?.toISOString()).toBe('2028-01-01T12:00:00.000Z');
  });

  it('fires at() once, in its time zone, and never after', () => {
    const schedule = { expression: 'at(2026-07-01T09:00:00)', timezone: 'America/New_York' };
    expect(nextRunAfter(schedule, new Date('2026-06-01T00:00:00Z'))?.toISOString()).toBe(
      '2026-07-01T13:00:00.000Z',
    );
    expect(nextRunAfter(schedule, new Date('2026-07-02T00:00:00Z'))).toBeNull();
  });

  it.each([
    ['cron(0/15 * * * ? *)', '2026-02-01T00:15:00.000Z'],
    ['cron(0 9 ? * L *)', '2026-02-07T09:00:00.000Z'], // L alone: the last day of the week, Saturday
    ['cron(0 9 ? * 6L *)', '2026-02-27T09:00:00.000Z'], // the last Friday
    ['cron(0 9 ? * 2#1 *)', '2026-02-02T09:00:00.000Z'], // the first Monday
    ['cron(0 9 L * ? *)', '2026-02-28T09:00:00.000Z'],
    ['cron(0 9 15W * ? *)', '2026-02-16T09:00:00.000Z'], // the 15th is a Sunday
    ['cron(0 8 ? * MON-FRI *)', '2026-02-02T08:00:00.000Z'],
  ])('reads %s as EventBridge does', (expression, expected) => {
    expect(
      nextRunAfter({ expression, timezone: 'UTC' }, new Date('2026-02-01T00:01:00Z'))?.toISOString(),
    ).toBe(expected);
  });

  it('skips a cron time the spring-forward gap swallows and fires once when the clocks go back', () => {
    const daily = { expression: 'cron(30 2 * * ? *)', timezone: 'Europe/Berlin' };
    const runs = (from: string, n: number) => {
      const found: string[] = [];
      let cursor = new Date(from);
      for (let i = 0; i < n; i++) {
        cursor = nextRunAfter(daily, cursor) as Date;
        found.push(cursor.toISOString());
      }
      return found;
    };
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST, so there is no 02:30 that day.
    expect(runs('2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
    // 25 October 2026: 02:30 happens twice (CEST, then CET); it fires at the first only.
    expect(runs('2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('converts wall-clock times across a DST change', () => {
    expect(zonedTimeToUtc('2026-03-29T03:30:00', 'Europe/Warsaw').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(zonedTimeToUtc('2026-01-15T12:00:00', 'Europe/Warsaw').toISOString()).toBe(
      '2026-01-15T11:00:00.000Z',
    );
  });
});
