/**
 * User schedules for the console on Lambda, opened on first use (see
 * openedOnFirstCall): imported as `@rez/aws/schedules-from-env`, the
 * definitions and EventBridge Scheduler, to manage them. The scheduler
 * Lambda imports `@rez/aws/schedule-runs-from-env` instead, which reaches
 * neither the Scheduler client nor the store's writes.
 */
import {
  ConfigError,
  DEFAULT_USER_SCHEDULE_LIMIT,
  type Env,
  optionalEnv,
  readPositiveInt,
  readStage,
  requireEnv,
  type Scheduler,
  type UserScheduleStore,
} from '@rez/core';
import { openedOnFirstCall } from './on-first-call';

const STORE_METHODS: Record<keyof UserScheduleStore, true> = {
  list: true,
  get: true,
  count: true,
  save: true,
  delete: true,
  recordRun: true,
  snooze: true,
};
const SCHEDULER_METHODS: Record<keyof Scheduler, true> = { put: true, remove: true, describe: true };

/**
 * The user schedule definitions in the messages table (REZ_STAGE,
 * REZ_MESSAGES_TABLE); the DynamoDB client is built on the first call.
 *
 * @example
 * const schedules = userScheduleStoreFromEnv(process.env);
 */
export function userScheduleStoreFromEnv(env: Env): UserScheduleStore {
  const stage = readStage(env);
  const tableName = requireEnv(env, 'REZ_MESSAGES_TABLE');
  return openedOnFirstCall<UserScheduleStore>(
    async () => (await import('./on-demand/schedule-store')).openScheduleStore({ tableName, stage }),
    STORE_METHODS,
  );
}

/** What {@link eventBridgeSchedulerFromEnv} reads. */
export interface UserScheduleSettings {
  /** EventBridge Scheduler, or undefined when REZ_USER_SCHEDULE_GROUP is unset (no user schedules on AWS). */
  scheduler: Scheduler | undefined;
  /** REZ_USER_SCHEDULE_LIMIT, default 100. */
  limit: number;
}

/**
 * EventBridge Scheduler for the stage's user schedule group:
 * REZ_USER_SCHEDULE_GROUP, REZ_SCHEDULER_FUNCTION_ARN, REZ_SCHEDULE_ROLE_ARN,
 * REZ_SCHEDULE_DLQ_ARN, REZ_SCHEDULE_MAX_RETRIES (default 3),
 * REZ_SCHEDULE_MAX_EVENT_AGE_SECONDS (default 3600), REZ_USER_SCHEDULE_LIMIT
 * (default 100). Without REZ_USER_SCHEDULE_GROUP there is no scheduler; the
 * others are then not read. The client is built on the first call.
 *
 * @example
 * const { scheduler, limit } = eventBridgeSchedulerFromEnv(process.env);
 */
export function eventBridgeSchedulerFromEnv(env: Env): UserScheduleSettings {
  const limit = readPositiveInt(env, 'REZ_USER_SCHEDULE_LIMIT', DEFAULT_USER_SCHEDULE_LIMIT, 10_000);
  const groupName = optionalEnv(env, 'REZ_USER_SCHEDULE_GROUP');
  if (!groupName) return { scheduler: undefined, limit };
  const target = {
    groupName,
    functionArn: arn(env, 'REZ_SCHEDULER_FUNCTION_ARN', 'lambda'),
    roleArn: arn(env, 'REZ_SCHEDULE_ROLE_ARN', 'iam'),
    deadLetterArn: arn(env, 'REZ_SCHEDULE_DLQ_ARN', 'sqs'),
    maximumRetryAttempts: readWhole(env, 'REZ_SCHEDULE_MAX_RETRIES', 3, 0, 185),
    maximumEventAgeSeconds: readWhole(env, 'REZ_SCHEDULE_MAX_EVENT_AGE_SECONDS', 3600, 60, 86_400),
  };
  return {
    scheduler: openedOnFirstCall<Scheduler>(
      async () => (await import('./on-demand/eventbridge-scheduler')).openScheduler(target),
      SCHEDULER_METHODS,
    ),
    limit,
  };
}

function arn(env: Env, name: string, service: string): string {
  const value = requireEnv(env, name);
  if (!new RegExp(`^arn:aws[a-z-]*:${service}:`).test(value))
    throw new ConfigError(name, `must be an ${service} ARN, got "${value}"`);
  return value;
}

function readWhole(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = optionalEnv(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}
