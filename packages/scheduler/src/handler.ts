import {
  type Clock,
  fireUserSchedule,
  type HandlerRegistry,
  type IdGenerator,
  type MessagePublisher,
  type MessageStore,
  parseWith,
  SCHEDULED_RUN,
  type Stage,
  type SubmitDeps,
  scheduleInvocationSchema,
  submitMessage,
  type UserScheduleRuns,
  ValidationError,
} from '@rez/core';

export interface SchedulerDeps {
  registry: HandlerRegistry;
  store: MessageStore;
  bus: MessagePublisher;
  clock: Clock;
  ids: IdGenerator;
  stage: Stage;
  /** The user schedules' definitions: runs of a user schedule (an input with a revision) are checked against them. */
  schedules?: UserScheduleRuns;
  logger?: {
    info(message: string, extra: Record<string, unknown>): void;
    warn?(message: string, extra: Record<string, unknown>): void;
  };
  /**
   * Run after every schedule run: the held-push sweep (PushServices.sweepHeld),
   * the backstop that starts a digest for pushes held while none is on its
   * way. A failure of it is logged, never the run's.
   */
  sweep?: () => Promise<unknown>;
}

export interface SchedulerResult {
  schedule: string;
  type: string;
  /** The message sent; null when the run was refused. */
  id: string | null;
  /** Why a user schedule's run sent nothing (it is also the schedule's recorded last run). */
  refused?: string;
}

/**
 * The scheduler Lambda: EventBridge Scheduler invokes it with the schedule's
 * input ({ schedule, type, payload }). Every run builds a fresh message (new
 * id, created_date now, created_by "scheduler:<schedule>", stage from
 * config), records it and publishes it to the topic. Bad input throws a
 * ValidationError naming the field, so the schedule's retry policy and DLQ
 * keep it visible.
 *
 * A user schedule's input also carries its definition's `revision`: the run
 * goes through fireUserSchedule, which sends the stored definition only
 * while the store holds that revision and the schedule is enabled, and
 * records the outcome as the schedule's last run. A refused run returns
 * with `refused` (the reason is on the schedule for the console to show); a
 * user schedule with no definition at all throws ScheduleNotFoundError (an
 * EventBridge schedule left behind: a Lambda error, so the alarm sees it).
 *
 * @example
 * const run = createSchedulerHandler({ registry, store, bus, clock, ids, stage: 'dev' });
 * await run({ schedule: 'hello-world', type: 'hello_world', payload: {} });
 */
export function createSchedulerHandler(deps: SchedulerDeps): (event: unknown) => Promise<SchedulerResult> {
  const run = runSchedule({
    ...deps,
    onError: (what: string, error: unknown) =>
      deps.logger?.warn?.(`could not write ${what}`, {
        reason: error instanceof Error ? error.message : String(error),
      }),
  });
  return async (event) => {
    const result = await run(event);
    if (deps.sweep)
      await deps.sweep().catch((error: unknown) =>
        deps.logger?.warn?.('held-push sweep failed', {
          reason: error instanceof Error ? error.message : String(error),
        }),
      );
    return result;
  };
}

function runSchedule(
  deps: SchedulerDeps & Pick<SubmitDeps, 'onError'>,
): (event: unknown) => Promise<SchedulerResult> {
  return async (event) => {
    const invocation = parseWith(scheduleInvocationSchema, event, 'schedule input');
    if (invocation.revision !== undefined) {
      if (!deps.schedules)
        throw new ValidationError('schedule input', [
          { path: 'revision', message: 'names a user schedule, but this scheduler has no user schedules' },
        ]);
      const fired = await fireUserSchedule(
        invocation.schedule,
        { by: SCHEDULED_RUN, revision: invocation.revision },
        { ...deps, schedules: deps.schedules },
      );
      if (fired.outcome === 'refused') {
        deps.logger?.warn?.('schedule run refused', { schedule: invocation.schedule, reason: fired.reason });
        return { schedule: invocation.schedule, type: invocation.type, id: null, refused: fired.reason };
      }
      deps.logger?.info('schedule fired', {
        schedule: invocation.schedule,
        messageId: fired.message.id,
        type: fired.message.type,
      });
      return { schedule: invocation.schedule, type: fired.message.type, id: fired.message.id };
    }
    const message = await submitMessage(
      {
        type: invocation.type,
        payload: invocation.payload,
        created_by: `scheduler:${invocation.schedule}`,
        stage: deps.stage,
      },
      deps,
    );
    deps.logger?.info('schedule fired', {
      schedule: invocation.schedule,
      messageId: message.id,
      type: message.type,
    });
    return { id: message.id, type: message.type, schedule: invocation.schedule };
  };
}
