import type {
  PlatformSchedule,
  ScheduleRun,
  Scheduler,
  ScheduleSnooze,
  UserSchedule,
  UserScheduleStore,
} from '../src';

/** The reference UserScheduleStore: a map. It passes the conformance suite the adapters run. */
export class InMemoryUserScheduleStore implements UserScheduleStore {
  readonly schedules = new Map<string, UserSchedule>();

  async list(): Promise<UserSchedule[]> {
    return [...this.schedules.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((s) => copy(s));
  }

  async get(name: string): Promise<UserSchedule | null> {
    const found = this.schedules.get(name);
    return found ? copy(found) : null;
  }

  async count(): Promise<number> {
    return this.schedules.size;
  }

  async save(schedule: UserSchedule, expected: string | null): Promise<boolean> {
    if ((this.schedules.get(schedule.name)?.revision ?? null) !== expected) return false;
    this.schedules.set(schedule.name, copy(schedule));
    return true;
  }

  async delete(name: string, expected: string): Promise<boolean> {
    if (this.schedules.get(name)?.revision !== expected) return false;
    return this.schedules.delete(name);
  }

  async recordRun(name: string, revision: string, run: ScheduleRun): Promise<boolean> {
    const found = this.schedules.get(name);
    if (found?.revision !== revision) return false;
    found.last_run = copy(run);
    return true;
  }

  async snooze(name: string, revision: string, snooze: ScheduleSnooze | null): Promise<boolean> {
    const found = this.schedules.get(name);
    if (found?.revision !== revision) return false;
    found.snoozed = snooze ? copy(snooze) : null;
    return true;
  }
}

/**
 * A Scheduler (the EventBridge port) that keeps what it was told in a map,
 * and fails its next call when `failNext` is set: for the service's tests.
 */
export class RecordingScheduler implements Scheduler {
  readonly schedules = new Map<string, PlatformSchedule>();
  readonly calls: string[] = [];
  failNext: Error | undefined;

  async put(schedule: UserSchedule): Promise<void> {
    this.#call(`put ${schedule.name}`);
    this.schedules.set(schedule.name, {
      revision: schedule.revision,
      enabled: schedule.enabled,
      expression: schedule.expression,
      timezone: schedule.timezone,
    });
  }

  async remove(name: string): Promise<void> {
    this.#call(`remove ${name}`);
    this.schedules.delete(name);
  }

  async describe(name: string): Promise<PlatformSchedule | null> {
    return this.schedules.get(name) ?? null;
  }

  #call(call: string): void {
    this.calls.push(call);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }
}

/** A deep copy as a store would give back (JSON: structuredClone's objects come from another realm under Jest). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
