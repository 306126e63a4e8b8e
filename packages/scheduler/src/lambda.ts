/**
 * The scheduler Lambda's entry (bundled to packages/scheduler/dist/index.mjs).
 * Config is read once at cold start; errors name the variable. The DynamoDB
 * and SNS clients are built on the first run and kept. After each run it
 * sweeps held pushes (with the worker's NTFY_BASE_URL, NTFY_TOPIC and
 * NTFY_LIMITS): a digest that could not be started is started here, within
 * a day at the latest (the built-in daily schedule).
 */
import { awsPipelineFromEnv } from '@rez/aws/from-env';
import { createJsonLogger } from '@rez/aws/observability';
import { pushBudgetStoreFromEnv } from '@rez/aws/push-budget-from-env';
import { userScheduleRunsFromEnv } from '@rez/aws/schedule-runs-from-env';
import {
  builtInRegistry,
  optionalEnv,
  PushBudget,
  PushServices,
  readPushBudgetSettings,
  systemClock,
  ulidGenerator,
} from '@rez/core';
import { createSchedulerHandler } from './handler';

const env = process.env;
const { stage, store, publisher } = awsPipelineFromEnv(env);
const registry = builtInRegistry();
const ids = ulidGenerator();
const logger = createJsonLogger({ service: 'rez-scheduler', keys: { stage } });

/** The held-push sweep, when the stage's ntfy settings are here and pushes are paced. */
function heldPushSweep(): (() => Promise<unknown>) | undefined {
  const settings = optionalEnv(env, 'NTFY_TOPIC') ? readPushBudgetSettings(env) : null;
  if (!settings) return undefined;
  const budget = new PushBudget({ store: pushBudgetStoreFromEnv(env), ...settings, clock: systemClock });
  const push = new PushServices({ store, bus: publisher, registry, clock: systemClock, ids, stage, budget });
  return () => push.sweepHeld();
}

export const handler = createSchedulerHandler({
  registry,
  store,
  bus: publisher,
  clock: systemClock,
  ids,
  stage,
  // The user schedules' definitions, checked against each run's revision (read on the first user schedule run).
  schedules: userScheduleRunsFromEnv(env),
  logger,
  sweep: heldPushSweep(),
});
