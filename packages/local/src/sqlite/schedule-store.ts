import type { ScheduleRun, ScheduleSnooze, UserSchedule, UserScheduleStore } from '@rez/core';
import type { SqliteDatabase } from './database';
import { type GroupCommit, groupCommit } from './group-commit';

/** A row as the local scheduler loop reads it. */
export interface ScheduleRow {
  schedule: UserSchedule;
  /** The loop's last timetable run (epoch ms), or null before the first. */
  firedAt: number | null;
}

/**
 * UserScheduleStore on SQLite (table user_schedules), with the extras the
 * local scheduler loop needs: the change counter it polls and the
 * compare-and-set mark of a run it fires. Writes join the connection's
 * group commit (see GroupCommit), so a write has resolved only once it is
 * committed; a definition's change bumps the change counter in the same write.
 */
export class SqliteUserScheduleStore implements UserScheduleStore {
  readonly #group: GroupCommit;
  readonly #s;

  constructor(db: SqliteDatabase) {
    this.#group = groupCommit(db);
    this.#s = {
      list: db.prepare('SELECT body, fired_at FROM user_schedules ORDER BY name'),
      get: db.prepare('SELECT body FROM user_schedules WHERE name = ?'),
      count: db.prepare('SELECT count(*) AS n FROM user_schedules'),
      insert: db.prepare(
        'INSERT INTO user_schedules (name, revision, body) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
      ),
      replace: db.prepare('UPDATE user_schedules SET revision = ?, body = ? WHERE name = ? AND revision = ?'),
      delete: db.prepare('DELETE FROM user_schedules WHERE name = ? AND revision = ?'),
      bump: db.prepare('UPDATE user_schedule_changes SET seq = seq + 1 WHERE id = 1'),
      seq: db.prepare('SELECT seq FROM user_schedule_changes WHERE id = 1'),
      recordRun: db.prepare(
        `UPDATE user_schedules SET body = json_set(body, '$.last_run', json(?))
         WHERE name = ? AND revision = ?`,
      ),
      snooze: db.prepare(
        `UPDATE user_schedules SET body = json_set(body, '$.snoozed', json(?))
         WHERE name = ? AND revision = ?`,
      ),
      markFired: db.prepare(
        'UPDATE user_schedules SET fired_at = ? WHERE name = ? AND revision = ? AND fired_at IS ?',
      ),
    };
  }

  async list(): Promise<UserSchedule[]> {
    return this.rows().map((row) => row.schedule);
  }

  async get(name: string): Promise<UserSchedule | null> {
    const row = this.#s.get.get(name) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as UserSchedule) : null;
  }

  async count(): Promise<number> {
    return (this.#s.count.get() as { n: number }).n;
  }

  save(schedule: UserSchedule, expected: string | null): Promise<boolean> {
    const body = JSON.stringify(schedule);
    return this.#changing(() =>
      expected === null
        ? this.#s.insert.run(schedule.name, schedule.revision, body).changes === 1
        : this.#s.replace.run(schedule.revision, body, schedule.name, expected).changes === 1,
    );
  }

  delete(name: string, expected: string): Promise<boolean> {
    return this.#changing(() => this.#s.delete.run(name, expected).changes === 1);
  }

  recordRun(name: string, revision: string, run: ScheduleRun): Promise<boolean> {
    return this.#group.run(() => this.#s.recordRun.run(JSON.stringify(run), name, revision).changes === 1);
  }

  snooze(name: string, revision: string, snooze: ScheduleSnooze | null): Promise<boolean> {
    // A change the running loop must see (it plans its next wake-up on the definitions).
    return this.#changing(() => this.#s.snooze.run(JSON.stringify(snooze), name, revision).changes === 1);
  }

  /** Every schedule with the loop's mark, by name. */
  rows(): ScheduleRow[] {
    return (this.#s.list.all() as { body: string; fired_at: number | null }[]).map((row) => ({
      schedule: JSON.parse(row.body) as UserSchedule,
      firedAt: row.fired_at,
    }));
  }

  /** Grows with every change of a definition (in any process on this database). */
  changes(): number {
    return (this.#s.seq.get() as { seq: number }).seq;
  }

  /**
   * Marks a timetable run of `name` fired at `at`, if its revision is still
   * `revision` and nobody marked it since `previous`: true when this caller
   * won and must fire it.
   */
  markFired(name: string, revision: string, previous: number | null, at: number): Promise<boolean> {
    return this.#group.run(() => this.#s.markFired.run(at, name, revision, previous).changes === 1);
  }

  #changing(write: () => boolean): Promise<boolean> {
    return this.#group.run(() => {
      const changed = write();
      if (changed) this.#s.bump.run();
      return changed;
    });
  }
}
