import {
  type Clock,
  nextRunAfter,
  type ScheduleDefinition,
  type ScheduleInvocation,
  scheduleInvocation,
  systemClock,
} from '@rez/core';
import type { SchedulerResult } from '@rez/scheduler';
import { UnknownScheduleError } from './errors';
import type { SqliteDatabase } from './sqlite/database';
import type { ScheduleRow, SqliteUserScheduleStore } from './sqlite/schedule-store';

export interface SchedulerLoopOptions {
  db: SqliteDatabase;
  schedules: readonly ScheduleDefinition[];
  /** The scheduler Lambda's handler (createSchedulerHandler). */
  invoke: (event: ScheduleInvocation) => Promise<SchedulerResult>;
  clock?: Clock;
  onFired?: (schedule: string, result: SchedulerResult) => void;
  onError?: (schedule: string, error: unknown) => void;
  /** Longest sleep between checks (default 60 s), so clock jumps and far-off runs are re-evaluated. */
  maxSleepMs?: number;
  /**
   * The user schedules to fire as well (their runs go through `invoke` with
   * their revision, like EventBridge's). Their changes — from the console
   * here or the CLI in another process — are noticed within `watchMs`.
   */
  userSchedules?: SqliteUserScheduleStore;
  /** How often the user schedules' change counter is read (default 1 s). */
  watchMs?: number;
  /**
   * Run at every check (at least every `maxSleepMs`): the held-push sweep
   * (PushServices.sweepHeld), the backstop that starts a digest for pushes
   * held while none is on its way. Its errors go to onError as "sweep".
   */
  sweep?: () => Promise<unknown>;
}

export interface ScheduleStatus {
  name: string;
  description: string;
  expression: string;
  timezone: string;
  type: string;
  lastRun: Date | null;
  nextRun: Date | null;
}

/**
 * EventBridge Scheduler on one machine: fires each schedule at
 * nextRunAfter(...) by invoking the scheduler Lambda's handler. Every
 * schedule's anchor (first start: rate() counts from it) and last run are
 * kept in SQLite. A run is recorded before the handler is invoked, with a
 * compare-and-set so two processes never both fire it: a crash in between
 * skips that one run, never fires it twice. Runs missed while the runtime
 * was down are caught up by one run at start, not one per missed slot.
 *
 * User schedules (from SQLite, see SqliteUserScheduleStore) follow the same
 * rules with their own marks: a run is due at nextRunAfter(the later of the
 * last run fired and the schedule's anchor); an `at()` therefore fires once;
 * a paused schedule, or one with an unfinished change, does not fire; a
 * change of expression, time zone or a resume moves the anchor, so it never
 * "catches up" runs from before the change.
 */
export class SchedulerLoop {
  readonly #options: SchedulerLoopOptions;
  readonly #clock: Clock;
  readonly #byName: Map<string, ScheduleDefinition>;
  readonly #s;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #ticking: Promise<void> = Promise.resolve();
  /** The user schedules' change counter and soonest run when the last plan was made. */
  #plan: { changes: number; soonest: number } | undefined;

  constructor(options: SchedulerLoopOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#byName = new Map(options.schedules.map((s) => [s.name, s]));
    const { db } = options;
    this.#s = {
      init: db.prepare('INSERT OR IGNORE INTO schedule_state (name, anchor) VALUES (?, ?)'),
      get: db.prepare('SELECT anchor, last_run FROM schedule_state WHERE name = ?'),
      mark: db.prepare('UPDATE schedule_state SET last_run = ? WHERE name = ? AND last_run IS ?'),
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops the timer and waits for a firing in progress. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#ticking;
  }

  /** Fires `name` now, outside its timetable (its next regular run is unchanged). */
  async runNow(name: string): Promise<SchedulerResult> {
    const schedule = this.#byName.get(name);
    if (!schedule) throw new UnknownScheduleError(name, [...this.#byName.keys()]);
    return this.#options.invoke(scheduleInvocation(schedule));
  }

  /** When rate() schedules started counting here: the earliest anchor (first start). */
  anchor(): Date {
    const anchors = [...this.#byName.keys()].map((name) => this.#state(name).anchor);
    return new Date(anchors.length ? Math.min(...anchors) : this.#clock.now().getTime());
  }

  list(): ScheduleStatus[] {
    return [...this.#byName.values()].map((s) => {
      const state = this.#state(s.name);
      return {
        name: s.name,
        description: s.description,
        expression: s.expression,
        timezone: s.timezone,
        type: s.type,
        lastRun: state.lastRun === null ? null : new Date(state.lastRun),
        nextRun: this.#next(s, state),
      };
    });
  }

  /** Fires every schedule that is due; returns the names fired. Exposed for tests with a manual clock. */
  async tick(): Promise<string[]> {
    await this.#options.sweep?.().catch((error: unknown) => this.#options.onError?.('sweep', error));
    const fired = await this.#tickBuiltIn();
    for (const row of this.#options.userSchedules?.rows() ?? []) {
      if (await this.#fireIfDue(row)) fired.push(row.schedule.name);
    }
    return fired;
  }

  /** When a user schedule runs next by the loop's marks; null when it does not (paused, pending, done). */
  nextUserRun(row: ScheduleRow): Date | null {
    const { schedule, firedAt } = row;
    if (!schedule.enabled || schedule.pending) return null;
    const anchor = Date.parse(schedule.anchor);
    try {
      return nextRunAfter(schedule, new Date(Math.max(firedAt ?? anchor, anchor)), new Date(anchor));
    } catch (error) {
      this.#options.onError?.(schedule.name, error);
      return null;
    }
  }

  async #fireIfDue(row: ScheduleRow): Promise<boolean> {
    const { schedule } = row;
    const next = this.nextUserRun(row);
    const now = this.#clock.now().getTime();
    if (!next || next.getTime() > now) return false;
    const store = this.#options.userSchedules as SqliteUserScheduleStore;
    if (!(await store.markFired(schedule.name, schedule.revision, row.firedAt, now))) return false;
    try {
      const result = await this.#options.invoke(scheduleInvocation(schedule));
      this.#options.onFired?.(schedule.name, result);
    } catch (error) {
      this.#options.onError?.(schedule.name, error);
    }
    return true;
  }

  async #tickBuiltIn(): Promise<string[]> {
    const fired: string[] = [];
    for (const schedule of this.#byName.values()) {
      const now = this.#clock.now().getTime();
      const state = this.#state(schedule.name);
      const next = this.#next(schedule, state);
      if (!next || next.getTime() > now) continue;
      if (this.#s.mark.run(now, schedule.name, state.lastRun).changes !== 1) continue; // another process fired it
      fired.push(schedule.name);
      try {
        // Invoke first: `onFired?.(…, await invoke())` would skip the invoke when onFired is unset.
        const result = await this.#options.invoke(scheduleInvocation(schedule));
        this.#options.onFired?.(schedule.name, result);
      } catch (error) {
        this.#options.onError?.(schedule.name, error);
      }
    }
    return fired;
  }

  #state(name: string): { anchor: number; lastRun: number | null } {
    this.#s.init.run(name, this.#clock.now().getTime());
    const row = this.#s.get.get(name) as { anchor: number; last_run: number | null };
    return { anchor: row.anchor, lastRun: row.last_run };
  }

  #next(schedule: ScheduleDefinition, state: { anchor: number; lastRun: number | null }): Date | null {
    return nextRunAfter(schedule, new Date(state.lastRun ?? state.anchor), new Date(state.anchor));
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#ticking = this.#tickAndReschedule();
    }, delayMs);
    this.#timer.unref?.();
  }

  async #tickAndReschedule(): Promise<void> {
    const users = this.#options.userSchedules;
    const watchMs = this.#options.watchMs ?? 1000;
    // Nothing changed and nothing due: only the change counter was read.
    const changes = users?.changes() ?? 0;
    const plan = this.#plan;
    if (plan && plan.changes === changes && this.#clock.now().getTime() < plan.soonest) {
      this.#schedule(Math.max(0, Math.min(plan.soonest - this.#clock.now().getTime(), watchMs)));
      return;
    }
    await this.tick();
    const now = this.#clock.now().getTime();
    const upcoming = [
      ...this.list().map((s) => s.nextRun?.getTime()),
      ...(users?.rows() ?? []).map((row) => this.nextUserRun(row)?.getTime()),
    ].filter((t): t is number => t !== undefined);
    const soonest = Math.min(now + (this.#options.maxSleepMs ?? 60_000), ...upcoming);
    this.#plan = { changes: users?.changes() ?? 0, soonest };
    this.#schedule(Math.max(0, Math.min(soonest - now, users ? watchMs : Number.POSITIVE_INFINITY)));
  }
}
