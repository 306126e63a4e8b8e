import path from 'node:path';
import { manualClock, type ScheduleDefinition, type ScheduleInvocation } from '@rez/core';
import { openDatabase, SchedulerLoop, type SqliteDatabase } from '../../src';
import { tempDir } from '../helpers';

const EVERY_MINUTE: ScheduleDefinition = {
  name: 'every-minute',
  description: 'test',
  expression: 'rate(1 minute)',
  timezone: 'UTC',
  type: 'hello_world',
  payload: {},
};
const WARSAW_NINE: ScheduleDefinition = {
  ...EVERY_MINUTE,
  name: 'warsaw-nine',
  expression: 'cron(0 9 * * ? *)',
  timezone: 'Europe/Warsaw',
};

describe('Class: SchedulerLoop', () => {
  let data: ReturnType<typeof tempDir>;
  let db: SqliteDatabase;
  let fired: ScheduleInvocation[];
  const clock = manualClock('2026-03-01T10:00:00.000Z');

  const loop = (schedules = [EVERY_MINUTE]) =>
    new SchedulerLoop({
      db,
      schedules,
      clock,
      invoke: async (event) => {
        fired.push(event);
        return { id: 'X', type: event.type, schedule: event.schedule };
      },
    });

  beforeEach(() => {
    data = tempDir();
    db = openDatabase(path.join(data.dir, 'rez.db'));
    fired = [];
    clock.set('2026-03-01T10:00:00.000Z');
  });
  afterEach(() => {
    db.close();
    data.remove();
  });

  describe('Method: tick', () => {
    it('fires a rate schedule one period after its anchor, once', async () => {
      const scheduler = loop();
      await expect(scheduler.tick()).resolves.toEqual([]);
      clock.advance(59_000);
      await expect(scheduler.tick()).resolves.toEqual([]);
      clock.advance(1_000);
      await expect(scheduler.tick()).resolves.toEqual(['every-minute']);
      await expect(scheduler.tick()).resolves.toEqual([]);
      expect(fired).toEqual([{ schedule: 'every-minute', type: 'hello_world', payload: {} }]);
    });

    it('after a restart neither fires a run twice nor skips forever: missed runs catch up once', async () => {
      await loop().tick();
      clock.advance(60_000);
      await loop().tick();
      const restarted = loop();
      await expect(restarted.tick()).resolves.toEqual([]);
      clock.advance(5 * 60_000); // down for five periods
      await expect(loop().tick()).resolves.toEqual(['every-minute']);
      await expect(loop().tick()).resolves.toEqual([]);
      expect(fired).toHaveLength(2);
    });

    it('reads cron in the schedule time zone', async () => {
      const scheduler = loop([WARSAW_NINE]);
      await scheduler.tick();
      // 09:00 in Warsaw on 2 March 2026 (CET, UTC+1) is 08:00Z.
      expect(scheduler.list()[0].nextRun?.toISOString()).toBe('2026-03-02T08:00:00.000Z');
    });
  });

  describe('Method: runNow', () => {
    it('fires the named schedule and refuses an unknown name naming the known ones', async () => {
      const scheduler = loop();
      await scheduler.runNow('every-minute');
      expect(fired).toHaveLength(1);
      await expect(scheduler.runNow('nope')).rejects.toThrow(
        'unknown schedule "nope"; known schedules: every-minute',
      );
    });
  });
});
