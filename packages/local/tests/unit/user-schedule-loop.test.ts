import path from 'node:path';
import {
  builtInRegistry,
  manualClock,
  SCHEDULES,
  type ScheduleInvocation,
  UserSchedules,
  ulidGenerator,
} from '@rez/core';
import { createSchedulerHandler } from '@rez/scheduler';
import { type LocalPipeline, openLocalPipeline, SchedulerLoop, SqliteUserScheduleStore } from '../../src';
import { tempDir } from '../helpers';

const NOTIFY = { type: 'notify', payload: { message: 'Stand-up' }, description: '', enabled: true };

describe('Class: SchedulerLoop (user schedules)', () => {
  let data: ReturnType<typeof tempDir>;
  let pipeline: LocalPipeline;
  let store: SqliteUserScheduleStore;
  let invoked: ScheduleInvocation[];
  const clock = manualClock('2026-03-26T12:00:00.000Z');

  const open = () => {
    pipeline = openLocalPipeline({
      dbFile: path.join(data.dir, 'rez.db'),
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 30,
    });
    store = new SqliteUserScheduleStore(pipeline.db);
  };
  const deps = () => ({
    registry: builtInRegistry(),
    store: pipeline.store,
    bus: pipeline.publisher,
    clock,
    ids: ulidGenerator(),
    stage: 'dev' as const,
  });
  const service = () => new UserSchedules({ ...deps(), schedules: store, builtIn: SCHEDULES });
  /** A loop as `npm start` runs one: built-ins none, user schedules through the scheduler handler. */
  const loop = () => {
    const handler = createSchedulerHandler({ ...deps(), schedules: store });
    return new SchedulerLoop({
      db: pipeline.db,
      schedules: [],
      clock,
      userSchedules: store,
      invoke: async (event) => {
        invoked.push(event as ScheduleInvocation);
        return handler(event);
      },
    });
  };

  beforeEach(() => {
    data = tempDir();
    open();
    invoked = [];
    clock.set('2026-03-26T12:00:00.000Z');
  });
  afterEach(() => {
    pipeline.close();
    data.remove();
  });

  it('fires a rate() schedule one period after it was saved, once per period, with its revision', async () => {
    const created = await service().create(
      { ...NOTIFY, name: 'ping', expression: 'rate(5 minutes)', timezone: 'UTC' },
      'cli:ana',
    );
    const scheduler = loop();
    await expect(scheduler.tick()).resolves.toEqual([]);
    clock.advance(5 * 60_000);
    await expect(scheduler.tick()).resolves.toEqual(['ping']);
    await expect(scheduler.tick()).resolves.toEqual([]);
    expect(invoked).toEqual([
      { schedule: 'ping', type: 'notify', payload: { message: 'Stand-up' }, revision: created.revision },
    ]);
    const last = (await store.get('ping'))?.last_run;
    expect(last).toMatchObject({ outcome: 'sent', by: 'schedule' });
    expect(await pipeline.store.get(last?.message_id as string)).toMatchObject({
      created_by: 'scheduler:ping',
    });
  });

  it('survives a restart between two runs: neither fires one twice nor misses the next', async () => {
    await service().create(
      { ...NOTIFY, name: 'ping', expression: 'rate(5 minutes)', timezone: 'UTC' },
      'cli:ana',
    );
    clock.advance(5 * 60_000);
    await expect(loop().tick()).resolves.toEqual(['ping']);
    // Restart: a new process (connection, loop) on the same data dir.
    pipeline.close();
    open();
    await expect(loop().tick()).resolves.toEqual([]);
    clock.advance(5 * 60_000);
    await expect(loop().tick()).resolves.toEqual(['ping']);
    pipeline.close();
    open();
    clock.advance(60_000);
    await expect(loop().tick()).resolves.toEqual([]);
    expect(invoked).toHaveLength(2);
  });

  it('fires an at() once, even across a restart, and refuses one in the past when saved', async () => {
    await expect(
      service().create(
        { ...NOTIFY, name: 'once', expression: 'at(2026-03-26T11:59:00)', timezone: 'UTC' },
        'cli:ana',
      ),
    ).rejects.toThrow(/expression: at\(2026-03-26T11:59:00\) is in the past in UTC/);
    await service().create(
      { ...NOTIFY, name: 'once', expression: 'at(2026-03-26T13:30:00)', timezone: 'Europe/Berlin' },
      'cli:ana',
    );
    clock.set('2026-03-26T12:29:59.000Z');
    await expect(loop().tick()).resolves.toEqual([]);
    clock.set('2026-03-26T12:30:00.000Z'); // 13:30 in Berlin
    await expect(loop().tick()).resolves.toEqual(['once']);
    pipeline.close();
    open();
    clock.advance(86_400_000);
    await expect(loop().tick()).resolves.toEqual([]);
    expect(invoked).toHaveLength(1);
  });

  it('follows a cron() across the spring-forward DST change in its time zone', async () => {
    await service().create(
      { ...NOTIFY, name: 'night', expression: 'cron(30 2 * * ? *)', timezone: 'Europe/Berlin' },
      'cli:ana',
    );
    const fired: string[] = [];
    const scheduler = loop();
    // Walk quarter-hour by quarter-hour from Thursday noon to Tuesday noon (29 March: 02:00 CET → 03:00 CEST).
    for (
      let t = Date.parse('2026-03-26T12:00:00Z');
      t <= Date.parse('2026-03-31T12:00:00Z');
      t += 15 * 60_000
    ) {
      clock.set(new Date(t).toISOString());
      if ((await scheduler.tick()).length) fired.push(new Date(t).toISOString());
    }
    expect(fired).toEqual([
      '2026-03-27T01:30:00.000Z',
      '2026-03-28T01:30:00.000Z',
      // none on the 29th: 02:30 did not exist in Berlin
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('picks up changes without a restart: pause, resume, deletion', async () => {
    const s = service();
    await s.create({ ...NOTIFY, name: 'ping', expression: 'rate(1 minute)', timezone: 'UTC' }, 'cli:ana');
    const scheduler = loop();
    clock.advance(60_000);
    await expect(scheduler.tick()).resolves.toEqual(['ping']);
    await s.setEnabled('ping', false, 'cli:ana');
    clock.advance(60_000);
    await expect(scheduler.tick()).resolves.toEqual([]);
    await s.setEnabled('ping', true, 'cli:ana'); // counts from now: no catch-up of the paused minute
    await expect(scheduler.tick()).resolves.toEqual([]);
    clock.advance(60_000);
    await expect(scheduler.tick()).resolves.toEqual(['ping']);
    await s.delete('ping', 'cli:ana');
    clock.advance(60_000);
    await expect(scheduler.tick()).resolves.toEqual([]);
    expect(invoked).toHaveLength(2);
  });

  it('notices a change another process made through the change counter', async () => {
    const before = store.changes();
    const other = new SqliteUserScheduleStore(pipeline.db);
    await new UserSchedules({ ...deps(), schedules: other, builtIn: SCHEDULES }).create(
      { ...NOTIFY, name: 'ping', expression: 'rate(1 minute)', timezone: 'UTC' },
      'cli:ana',
    );
    expect(store.changes()).toBeGreaterThan(before);
  });
});
