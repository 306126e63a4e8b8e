import {
  afterRateLimit,
  type BudgetState,
  ConfigError,
  freshBudget,
  manualClock,
  NTFY_SERVER_LIMITS,
  NTFY_SH_LIMITS,
  PushBudget,
  readPushLimits,
  takeFromBudget,
} from '@rez/core';
import { InMemoryPushStateStore } from '@rez/core/testing';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const limits = NTFY_SH_LIMITS; // 60 at once, one back every 5 s, 250 a day

/** Takes `n` times of `kind` from `state` at `now`; returns how many were granted and the state after. */
function takeMany(state: BudgetState | null, n: number, kind: 'urgent' | 'normal', now = T0) {
  let granted = 0;
  let current = state;
  for (let i = 0; i < n; i++) {
    const decision = takeFromBudget(current, limits, now, kind);
    if (decision.granted) granted++;
    current = decision.state;
  }
  return { granted, state: current as BudgetState };
}

describe('Function: takeFromBudget (ntfy’s request bucket and daily quota)', () => {
  it('lets normal pushes take the burst down to the urgent reserve, urgent ones the rest', () => {
    const normal = takeMany(null, 100, 'normal');
    expect(normal.granted).toBe(48); // 60 less a reserve of 12
    const refused = takeFromBudget(normal.state, limits, T0, 'normal');
    expect(refused).toMatchObject({
      granted: false,
      waitMs: 5000,
      reason: '12 of 60 requests left; the last 12 are kept for urgent pushes',
    });
    const urgent = takeMany(normal.state, 20, 'urgent');
    expect(urgent.granted).toBe(12);
    expect(takeFromBudget(urgent.state, limits, T0, 'urgent')).toMatchObject({
      granted: false,
      waitMs: 5000,
    });
  });

  it('refills one request every refill period, never past the burst', () => {
    const empty = takeMany(null, 60, 'urgent').state;
    expect(takeFromBudget(empty, limits, T0 + 4999, 'urgent').granted).toBe(false);
    expect(takeFromBudget(empty, limits, T0 + 5000, 'urgent').granted).toBe(true);
    expect(takeMany(empty, 100, 'urgent', T0 + 3_600_000).granted).toBe(60);
  });

  it('counts messages per UTC day, keeps the last tenth for urgent pushes, and starts afresh at midnight', () => {
    // Plenty of requests (a day of refills), and 224 messages already sent today.
    const busy: BudgetState = { ...freshBudget(limits, T0), sent: 224 };
    expect(takeFromBudget(busy, limits, T0, 'normal').granted).toBe(true);
    const atReserve = { ...busy, sent: 225 };
    expect(takeFromBudget(atReserve, limits, T0, 'normal')).toMatchObject({
      granted: false,
      waitMs: 12 * 3_600_000, // until 00:00 UTC
      reason: '225 of 250 messages sent today; the last 25 are kept for urgent pushes',
    });
    expect(takeFromBudget({ ...busy, sent: 249 }, limits, T0, 'urgent').granted).toBe(true);
    expect(takeFromBudget({ ...busy, sent: 250 }, limits, T0, 'urgent').granted).toBe(false);
    const tomorrow = Date.parse('2026-03-02T00:00:00.000Z');
    expect(takeFromBudget({ ...busy, sent: 250 }, limits, tomorrow, 'normal')).toMatchObject({
      granted: true,
      state: { day: '2026-03-02', sent: 1 },
    });
  });

  it('counts a request (a lookup in ntfy’s cache) against the bucket only', () => {
    const decision = takeFromBudget({ ...freshBudget(limits, T0), sent: 250 }, limits, T0, 'request');
    expect(decision).toMatchObject({ granted: true, state: { sent: 250, tokens: 59 } });
  });
});

describe('Function: afterRateLimit (ntfy said 429, and sends no Retry-After)', () => {
  it('42901 empties the bucket: the next request waits one refill, whatever the budget thought', () => {
    const after = afterRateLimit(freshBudget(limits, T0), limits, T0, 42901);
    expect(takeFromBudget(after, limits, T0 + 4999, 'urgent').granted).toBe(false);
    expect(takeFromBudget(after, limits, T0 + 5000, 'urgent').granted).toBe(true);
  });

  it('42908 closes the day for every push, and the day rolls over at 00:00 UTC', () => {
    const after = afterRateLimit(freshBudget(limits, T0), limits, T0, 42908);
    expect(takeFromBudget(after, limits, T0 + 3_600_000, 'urgent')).toMatchObject({
      granted: false,
      reason: "ntfy's daily message quota was reached on 2026-03-01 (UTC)",
    });
    expect(takeFromBudget(after, limits, Date.parse('2026-03-02T00:00:01.000Z'), 'normal').granted).toBe(
      true,
    );
  });
});

describe('Class: PushBudget (the shared counter)', () => {
  it('never grants more than the bucket holds to workers taking at once from one store', async () => {
    const store = new InMemoryPushStateStore();
    const clock = manualClock('2026-03-01T12:00:00.000Z');
    const workers = Array.from({ length: 4 }, () => new PushBudget({ store, key: 'k', limits, clock }));
    const decisions = await Promise.all(
      Array.from({ length: 100 }, (_, i) => workers[i % 4].take(i % 2 ? 'urgent' : 'normal')),
    );
    expect(decisions.filter((d) => d.granted)).toHaveLength(60);
    expect((await workers[0].usage()).requestsLeft).toBe(0);
  });

  it('keeps one digest on its way: another is told to follow it (again), and a digest another took over from is superseded', async () => {
    const store = new InMemoryPushStateStore();
    const clock = manualClock('2026-03-01T12:00:00.000Z');
    const budget = new PushBudget({ store, key: 'k', limits, clock });
    await expect(budget.leaseDigest('D1', 60_000)).resolves.toBe(true);
    await expect(budget.leaseDigest('D2', 60_000)).resolves.toBe(false);
    await expect(budget.take('normal')).resolves.toMatchObject({ granted: false });
    await expect(budget.take('digest', 'D2')).resolves.toMatchObject({ granted: false, superseded: true });
    await expect(budget.take('digest', 'D1')).resolves.toMatchObject({ granted: true });
    await expect(budget.releaseDigest('D1')).resolves.toBe(true); // D2 asked for another
    await expect(budget.take('normal')).resolves.toMatchObject({ granted: true });
  });

  it('lets a digest whose lease lapsed (it was lost) be taken over by the next one', async () => {
    const store = new InMemoryPushStateStore();
    const clock = manualClock('2026-03-01T12:00:00.000Z');
    const budget = new PushBudget({ store, key: 'k', limits, clock });
    await budget.leaseDigest('LOST', 60_000);
    clock.advance(60_001);
    await expect(budget.leaseDigest('NEXT', 60_000)).resolves.toBe(true);
    await expect(budget.take('digest', 'LOST')).resolves.toMatchObject({ superseded: true });
  });
});

describe('Function: readPushLimits (NTFY_LIMITS)', () => {
  it('defaults to ntfy.sh’s free tier for ntfy.sh, and to ntfy’s server defaults elsewhere', () => {
    expect(readPushLimits({}, 'https://ntfy.sh')).toEqual(NTFY_SH_LIMITS);
    expect(readPushLimits({}, 'https://ntfy.example.com')).toEqual(NTFY_SERVER_LIMITS);
  });

  it('reads none, and burst/refill/daily in any order, keeping defaults for what is left out', () => {
    expect(readPushLimits({ NTFY_LIMITS: 'none' }, 'https://ntfy.sh')).toBeNull();
    expect(readPushLimits({ NTFY_LIMITS: 'daily=2500, burst=120' }, 'https://ntfy.sh')).toEqual({
      burst: 120,
      refillMs: 5000,
      daily: 2500,
    });
    expect(readPushLimits({ NTFY_LIMITS: 'refill=250ms' }, 'https://x.test')?.refillMs).toBe(250);
    expect(readPushLimits({ NTFY_LIMITS: 'refill=0.5s' }, 'https://x.test')?.refillMs).toBe(500);
  });

  it('refuses anything else, naming NTFY_LIMITS and the part it cannot read', () => {
    for (const [value, why] of [
      ['burst=60;daily=1', '"burst=60;daily=1" is not'],
      ['burst=0', 'burst must be from 1'],
      ['burst=1.5', 'burst must be a whole number'],
      ['refill=0ms', 'refill must be from 1 ms'],
      ['speed=3', '"speed=3" is not'],
    ]) {
      expect(() => readPushLimits({ NTFY_LIMITS: value }, 'https://ntfy.sh')).toThrow(ConfigError);
      expect(() => readPushLimits({ NTFY_LIMITS: value }, 'https://ntfy.sh')).toThrow(
        new RegExp(`NTFY_LIMITS ${why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    }
  });
});
