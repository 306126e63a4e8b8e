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

  it('converts wall-clock times across a DST change', () => {
    expect(zonedTimeToUtc('2026-03-29T03:30:00', 'Europe/Warsaw').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(zonedTimeToUtc('2026-01-15T12:00:00', 'Europe/Warsaw').toISOString()).toBe(
      '2026-01-15T11:00:00.000Z',
    );
  });
});
