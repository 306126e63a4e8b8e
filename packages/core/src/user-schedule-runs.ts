import { ScheduleNotFoundError } from './errors';
import type { Message, Stage } from './message';
import { type SubmitDeps, submitMessage } from './submit';
import { brokenReason, type ScheduleRun, type UserSchedule, type UserScheduleRuns } from './user-schedules';

/** What firing a user schedule needs: the submit path and the definitions. */
export interface FireDeps extends SubmitDeps {
  schedules: UserScheduleRuns;
  stage: Stage;
}

/** What one firing did: sent a message, or refused (with the reason recorded as the schedule's last run). */
export type FireResult = { outcome: 'sent'; message: Message } | { outcome: 'refused'; reason: string };

/** `by` of a run the timetable fired (EventBridge, the local loop). */
export const SCHEDULED_RUN = 'schedule';

/**
 * Fires a user schedule from its stored definition — the one path for
 * EventBridge's runs (through the scheduler Lambda), the local loop's and
 * "run now": the message is `created_by: scheduler:<name>` with the stored
 * payload, and the outcome is recorded as the schedule's last run.
 *
 * A timetable run (`by: 'schedule'`) fires only while the store holds the
 * `revision` it was made from, the schedule is enabled and not snoozed; a
 * run by hand fires a paused or snoozed schedule too. Neither fires a schedule being deleted or
 * one whose payload no longer passes its type's schema (broken): those are
 * refused, and the reason is the last run. A schedule that is not stored
 * throws {@link ScheduleNotFoundError}: an EventBridge schedule without a
 * definition is an orphan someone must see.
 *
 * @example
 * const result = await fireUserSchedule('standup', { by: 'schedule', revision }, deps);
 */
export async function fireUserSchedule(
  name: string,
  options: { by: string; revision?: string },
  deps: FireDeps,
): Promise<FireResult> {
  const schedule = await deps.schedules.get(name);
  if (!schedule) throw new ScheduleNotFoundError(name);
  const record = (run: Omit<ScheduleRun, 'at' | 'by'>) =>
    deps.schedules.recordRun(name, schedule.revision, {
      ...run,
      at: deps.clock.now().toISOString(),
      by: options.by,
    });
  const reason = whyNotFire(schedule, options, deps);
  if (reason) {
    await record({ message_id: null, outcome: 'refused', reason });
    return { outcome: 'refused', reason };
  }
  let message: Message;
  try {
    message = await submitMessage(
      {
        type: schedule.type,
        payload: schedule.payload,
        created_by: `scheduler:${schedule.name}`,
        stage: deps.stage,
      },
      deps,
    );
  } catch (error) {
    // The failure is the caller's to report (and retry); the record only keeps it visible.
    await record({
      message_id: null,
      outcome: 'failed',
      reason: error instanceof Error ? error.message : String(error),
    }).catch(() => false);
    throw error;
  }
  await record({ message_id: message.id, outcome: 'sent' });
  return { outcome: 'sent', message };
}

function whyNotFire(
  schedule: UserSchedule,
  options: { by: string; revision?: string },
  deps: FireDeps,
): string | null {
  if (schedule.pending?.action === 'delete') return 'the schedule is being deleted';
  if (options.by === SCHEDULED_RUN) {
    if (options.revision !== undefined && options.revision !== schedule.revision)
      return `the schedule changed after this run was set up (run for revision ${options.revision}, stored ${schedule.revision})`;
    if (!schedule.enabled) return 'the schedule is paused';
    if (schedule.snoozed && Date.parse(schedule.snoozed.until) > deps.clock.now().getTime())
      return `the schedule is snoozed until ${schedule.snoozed.until} (by ${schedule.snoozed.by})`;
  }
  const broken = brokenReason(schedule, deps.registry);
  return broken ? `broken: ${broken}` : null;
}
