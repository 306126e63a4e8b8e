/**
 * Loaded on the first EventBridge Scheduler call (see schedules-from-env.ts):
 * this module and the Scheduler client stay out of the console's cold start.
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { baseClientConfig } from '../clients';
import { EventBridgeScheduler, type ScheduleTarget } from '../schedules/eventbridge-scheduler';

export function openScheduler(target: ScheduleTarget): EventBridgeScheduler {
  return new EventBridgeScheduler(new SchedulerClient(baseClientConfig({})), target);
}
