import {
  ScheduleConflictError,
  ScheduleLimitError,
  ScheduleNotFoundError,
  ScheduleSyncError,
} from './errors';
import type { Stage } from './message';
import type { MessageRecord } from './ports';
import type { ScheduleDefinition } from './schedules';
import type { SubmitDeps } from './submit';
import { type FireDeps, type FireResult, fireUserSchedule } from './user-schedule-runs';
import {
  brokenReason,
  checkUserSchedule,
  DEFAULT_USER_SCHEDULE_LIMIT,
  type PlatformSchedule,
  type Scheduler,
  type UserSchedule,
  type UserScheduleInput,
  type UserScheduleStore,
  upcomingRuns,
} from './user-schedules';

/** What sending a schedule's message (run now) needs, the definitions, and where they fire. */
export interface UserSchedulesDeps extends SubmitDeps {
  schedules: UserScheduleStore;
  /** EventBridge Scheduler on AWS; absent locally, where the scheduler loop reads the store itself. */
  scheduler?: Scheduler;
  stage: Stage;
  /** The built-in schedules: their names are reserved. */
  builtIn: readonly ScheduleDefinition[];
  /** Most user schedules the stage may hold (default 100). */
  limit?: number;
}

/** A user schedule as the console and the CLI list it. */
export interface UserScheduleView {
  schedule: UserSchedule;
  /** The next runs (up to 3; none while paused, broken or being deleted). */
  next: Date[];
  /** Why it cannot fire, when its type or payload no longer validates. */
  broken: string | null;
  /** A one-time schedule whose time has passed: it will not fire again. */
  finished: boolean;
  /** The last run's message as the store has it now (its status), when there is one. */
  lastMessage: MessageRecord | null;
}

/**
 * Managing user schedules: create, edit, pause, resume, delete, run now.
 *
 * Definition and platform can never silently disagree:
 * 1. Write order. A change is saved to the store first (conditional on the
 *    revision the caller read), marked pending; then EventBridge is told;
 *    then the pending mark is cleared. If EventBridge refuses or fails, the
 *    stored definition is put back as it was (nothing changed, the error
 *    says so); if even that fails, or the process stops in between, the
 *    schedule stays marked pending on the console until {@link repair}.
 * 2. Reconciliation on fire. EventBridge's input carries the revision; the
 *    scheduler Lambda fires only while the store holds that revision, the
 *    schedule is enabled and not being deleted (see fireUserSchedule); a run
 *    it refuses is recorded as the schedule's last run, and an EventBridge
 *    schedule with no definition at all throws (a Lambda error, alarmed).
 * 3. Reconciliation on read. {@link verify} compares one schedule with
 *    what EventBridge holds (GetSchedule, not a scan) and names any difference.
 */
export class UserSchedules {
  readonly #deps: UserSchedulesDeps;
  readonly limit: number;

  constructor(deps: UserSchedulesDeps) {
    this.#deps = deps;
    this.limit = deps.limit ?? DEFAULT_USER_SCHEDULE_LIMIT;
  }

  /** Whether changes go to a platform (EventBridge) as well as the store. */
  get managesPlatform(): boolean {
    return this.#deps.scheduler !== undefined;
  }

  /** Every user schedule with its next runs, broken state and last run's message. */
  async list(): Promise<UserScheduleView[]> {
    const schedules = await this.#deps.schedules.list();
    return Promise.all(schedules.map((schedule) => this.#view(schedule)));
  }

  async get(name: string): Promise<UserScheduleView | null> {
    const schedule = await this.#deps.schedules.get(name);
    return schedule ? this.#view(schedule) : null;
  }

  /** Checks `input` without saving it: throws the ValidationError saving would; returns the next `count` runs. */
  preview(input: unknown, count = 5): { schedule: UserScheduleInput; next: Date[] } {
    const schedule = checkUserSchedule(input, this.#checkDeps());
    const now = this.#deps.clock.now();
    return { schedule, next: upcomingRuns(schedule, now, count) };
  }

  /** Creates a schedule; ValidationError, ScheduleConflictError (name taken), ScheduleLimitError or ScheduleSyncError. */
  async create(input: unknown, by: string): Promise<UserSchedule> {
    const checked = checkUserSchedule(input, this.#checkDeps());
    if ((await this.#deps.schedules.count()) >= this.limit) throw new ScheduleLimitError(this.limit);
    const at = this.#deps.clock.now().toISOString();
    const schedule: UserSchedule = {
      ...checked,
      revision: this.#revision(),
      anchor: at,
      created_by: by,
      created_at: at,
      updated_by: by,
      updated_at: at,
      last_run: null,
      pending: null,
    };
    return this.#put(schedule, null);
  }

  /**
   * Replaces a schedule's definition. `expectedRevision` (the one the
   * person's form was made from) guards against overwriting a change made
   * since; omit it to change whatever is stored.
   */
  async update(name: string, input: unknown, by: string, expectedRevision?: string): Promise<UserSchedule> {
    const current = await this.#current(name, expectedRevision);
    const checked = checkUserSchedule(input, this.#checkDeps());
    if (checked.name !== name)
      throw new ScheduleConflictError(name, `cannot be renamed (to "${checked.name}"); create a new one`);
    const at = this.#deps.clock.now().toISOString();
    const recounts =
      checked.expression !== current.expression ||
      checked.timezone !== current.timezone ||
      (checked.enabled && !current.enabled);
    const resumes = checked.enabled && !current.enabled;
    return this.#put(
      {
        ...current,
        ...checked,
        revision: this.#revision(),
        anchor: recounts ? at : current.anchor,
        updated_by: by,
        updated_at: at,
        pending: null,
        // A resume means "run on the timetable again": it ends a snooze too.
        ...(resumes ? { snoozed: null } : {}),
      },
      current,
    );
  }

  /** Pauses (false) or resumes (true) a schedule. */
  async setEnabled(name: string, enabled: boolean, by: string): Promise<UserSchedule> {
    const current = await this.#current(name);
    const {
      revision,
      anchor,
      created_by,
      created_at,
      updated_by,
      updated_at,
      last_run,
      pending,
      snoozed,
      ...input
    } = current;
    return this.update(name, { ...input, enabled }, by, revision);
  }

  /** Deletes a schedule: marked in the store, removed from EventBridge, then removed from the store. */
  async delete(name: string, by: string, expectedRevision?: string): Promise<void> {
    const current = await this.#current(name, expectedRevision);
    const { schedules, scheduler } = this.#deps;
    if (!scheduler) {
      if (!(await schedules.delete(name, current.revision))) throw this.#changed(name);
      return;
    }
    const marked: UserSchedule = {
      ...current,
      revision: this.#revision(),
      updated_by: by,
      updated_at: this.#deps.clock.now().toISOString(),
      pending: { action: 'delete', since: this.#deps.clock.now().toISOString() },
    };
    if (!(await schedules.save(marked, current.revision))) throw this.#changed(name);
    try {
      await scheduler.remove(name);
    } catch (error) {
      const restored = await schedules.save(current, marked.revision).catch(() => false);
      if (!restored) await this.#markFailed(marked, error);
      throw new ScheduleSyncError(name, restored, error);
    }
    if (!(await schedules.delete(name, marked.revision))) throw this.#changed(name);
  }

  /**
   * Skips the timetable's runs until `until` (a Snooze from a push), or ends
   * a snooze (`until` null), keeping the definition and its revision:
   * EventBridge keeps firing and the scheduler refuses what falls inside the
   * snooze, so the schedule comes back by itself. ScheduleNotFoundError when
   * it is gone; ScheduleConflictError when it changed meanwhile.
   */
  async snooze(name: string, until: Date | null, by: string): Promise<UserSchedule> {
    const current = await this.#current(name);
    const snoozed =
      until === null ? null : { until: until.toISOString(), at: this.#deps.clock.now().toISOString(), by };
    if (!(await this.#deps.schedules.snooze(name, current.revision, snoozed))) throw this.#changed(name);
    return { ...current, snoozed };
  }

  /** Fires a schedule now, outside its timetable (a paused one too). */
  async runNow(name: string, by: string): Promise<FireResult> {
    return fireUserSchedule(name, { by }, this.#fireDeps());
  }

  /** Finishes a change left pending: puts the stored definition to EventBridge again, or finishes a delete. */
  async repair(name: string, by: string): Promise<UserSchedule | null> {
    const current = await this.#current(name);
    if (!current.pending) return current;
    if (current.pending.action === 'delete') {
      await this.#deps.scheduler?.remove(name);
      if (!(await this.#deps.schedules.delete(name, current.revision))) throw this.#changed(name);
      return null;
    }
    return this.#put({ ...current, updated_by: by, pending: null }, current, { rollback: false });
  }

  /**
   * Compares a schedule with what EventBridge holds for it; returns the
   * differences in words (empty: in sync), or null locally (nothing to compare).
   */
  async verify(name: string): Promise<string[] | null> {
    const { scheduler } = this.#deps;
    if (!scheduler) return null;
    const current = await this.#current(name);
    return differences(current, await scheduler.describe(name), this.#deps.clock.now());
  }

  /** Saves `next` (conditional on `previous`), tells the platform, clears the pending mark. */
  async #put(
    next: UserSchedule,
    previous: UserSchedule | null,
    options: { rollback: boolean } = { rollback: true },
  ): Promise<UserSchedule> {
    const { schedules, scheduler, clock } = this.#deps;
    const name = next.name;
    const expected = previous?.revision ?? null;
    if (!scheduler) {
      if (!(await schedules.save(next, expected)))
        throw previous ? this.#changed(name) : new ScheduleConflictError(name, 'already exists');
      return next;
    }
    const pending: UserSchedule = { ...next, pending: { action: 'put', since: clock.now().toISOString() } };
    if (!(await schedules.save(pending, expected)))
      throw previous ? this.#changed(name) : new ScheduleConflictError(name, 'already exists');
    try {
      await scheduler.put(pending, clock.now());
    } catch (error) {
      let restored = false;
      if (options.rollback) {
        restored = await (previous
          ? schedules.save(previous, pending.revision)
          : schedules.delete(name, pending.revision)
        ).catch(() => false);
      }
      if (!restored) await this.#markFailed(pending, error);
      throw new ScheduleSyncError(name, restored, error);
    }
    const done: UserSchedule = { ...pending, pending: null };
    // Lost only to a concurrent change, which carries on from here: ours is in EventBridge either way.
    await schedules.save(done, pending.revision);
    return done;
  }

  async #markFailed(schedule: UserSchedule, error: unknown): Promise<void> {
    if (!schedule.pending) return;
    const reason = error instanceof Error ? error.message : String(error);
    await this.#deps.schedules
      .save({ ...schedule, pending: { ...schedule.pending, error: reason } }, schedule.revision)
      .catch(() => false);
  }

  async #current(name: string, expectedRevision?: string): Promise<UserSchedule> {
    const current = await this.#deps.schedules.get(name);
    if (!current) throw new ScheduleNotFoundError(name);
    if (expectedRevision !== undefined && current.revision !== expectedRevision) throw this.#changed(name);
    return current;
  }

  #changed(name: string): ScheduleConflictError {
    return new ScheduleConflictError(
      name,
      'was changed or deleted by someone else since it was read; reload it and try again',
    );
  }

  async #view(schedule: UserSchedule): Promise<UserScheduleView> {
    const broken = brokenReason(schedule, this.#deps.registry);
    const firing = schedule.enabled && !broken && schedule.pending?.action !== 'delete';
    const lastId = schedule.last_run?.message_id;
    const from = laterOf(
      laterOf(this.#deps.clock.now(), schedule.anchor),
      // A snooze skips the runs before its end (nextRunAfter is strictly after: a run at `until` fires).
      schedule.snoozed ? new Date(Date.parse(schedule.snoozed.until) - 1).toISOString() : schedule.anchor,
    );
    const next = firing ? upcomingRuns(schedule, from, 3, new Date(schedule.anchor)) : [];
    return {
      schedule,
      broken,
      finished: firing && next.length === 0 && schedule.expression.startsWith('at('),
      next,
      lastMessage: lastId ? await this.#deps.store.get(lastId) : null,
    };
  }

  #checkDeps() {
    return {
      registry: this.#deps.registry,
      clock: this.#deps.clock,
      reserved: this.#deps.builtIn.map((s) => s.name),
    };
  }

  #fireDeps(): FireDeps {
    const { schedules, store, bus, registry, clock, ids, stage } = this.#deps;
    return { schedules, store, bus, registry, clock, ids, stage };
  }

  #revision(): string {
    return this.#deps.ids.next(this.#deps.clock.now().getTime());
  }
}

function laterOf(now: Date, anchor: string): Date {
  const a = Date.parse(anchor);
  return a > now.getTime() ? new Date(a) : now;
}

/** What differs between a stored schedule and the platform's, in words. */
export function differences(stored: UserSchedule, platform: PlatformSchedule | null, now: Date): string[] {
  if (stored.pending)
    return [
      `a ${stored.pending.action === 'delete' ? 'deletion' : 'change'} is pending since ${stored.pending.since}${stored.pending.error ? ` (${stored.pending.error})` : ''}`,
    ];
  if (!platform) {
    // A one-time schedule deletes itself from EventBridge once it ran.
    const ranOnce = stored.expression.startsWith('at(') && upcomingRuns(stored, now, 1).length === 0;
    return ranOnce ? [] : ['EventBridge Scheduler has no schedule by this name'];
  }
  const found: string[] = [];
  if (platform.revision !== stored.revision)
    found.push(`EventBridge has revision ${platform.revision ?? '(none)'}, the store ${stored.revision}`);
  if (platform.enabled !== stored.enabled)
    found.push(`EventBridge has it ${platform.enabled ? 'enabled' : 'paused'}`);
  if (platform.expression !== stored.expression)
    found.push(`EventBridge has the expression ${platform.expression}`);
  if (platform.timezone !== stored.timezone) found.push(`EventBridge has the time zone ${platform.timezone}`);
  return found;
}
