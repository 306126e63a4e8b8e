import {
  type Clock,
  type HandlerRegistry,
  type IdGenerator,
  type MessagePublisher,
  type MessageStore,
  parseWith,
  type Stage,
  scheduleInvocationSchema,
  submitMessage,
} from '@rez/core';

export interface SchedulerDeps {
  registry: HandlerRegistry;
  store: MessageStore;
  bus: MessagePublisher;
  clock: Clock;
  ids: IdGenerator;
  stage: Stage;
  logger?: { info(message: string, extra: Record<string, unknown>): void };
}

export interface SchedulerResult {
  id: string;
  type: string;
  schedule: string;
}

/**
 * The scheduler Lambda: EventBridge Scheduler invokes it with the schedule's
 * input ({ schedule, type, payload }). Every run builds a fresh message (new
 * id, created_date now, created_by "scheduler:<schedule>", stage from
 * config), records it and publishes it to the topic. Bad input throws a
 * ValidationError naming the field, so the schedule's retry policy and DLQ
 * keep it visible.
 *
 * @example
 * const run = createSchedulerHandler({ registry, store, bus, clock, ids, stage: 'dev' });
 * await run({ schedule: 'hello-world', type: 'hello_world', payload: {} });
 */
export function createSchedulerHandler(deps: SchedulerDeps): (event: unknown) => Promise<SchedulerResult> {
  return async (event) => {
    const invocation = parseWith(scheduleInvocationSchema, event, 'schedule input');
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
