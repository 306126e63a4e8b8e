/**
 * The scheduler Lambda's entry (bundled to packages/scheduler/dist/index.mjs).
 * Config is read once at cold start; errors name the variable. The DynamoDB
 * and SNS clients are built on the first run and kept.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { awsPipelineFromEnv } from '@rez/aws/from-env';
import { userScheduleRunsFromEnv } from '@rez/aws/schedule-runs-from-env';
import { builtInRegistry, systemClock, ulidGenerator } from '@rez/core';
import { createSchedulerHandler } from './handler';

const { stage, store, publisher } = awsPipelineFromEnv(process.env);

export const handler = createSchedulerHandler({
  registry: builtInRegistry(),
  store,
  bus: publisher,
  clock: systemClock,
  ids: ulidGenerator(),
  stage,
  // The user schedules' definitions, checked against each run's revision (read on the first user schedule run).
  schedules: userScheduleRunsFromEnv(process.env),
  logger: new Logger({ serviceName: 'rez-scheduler', persistentKeys: { stage } }),
});
