/**
 * Loaded on the first EventBridge Scheduler call (see
 * schedules-from-env.ts): this module and the Scheduler client
 * stay out of the console's cold start.
 */
import { EventBridgeScheduler, type ScheduleTarget } from '../schedules/eventbridge-scheduler';
import { createSchedulerClient } from '../sdk/scheduler';

export function openScheduler(target: ScheduleTarget): EventBridgeScheduler {
  return new EventBridgeScheduler(createSchedulerClient(), target);
}
