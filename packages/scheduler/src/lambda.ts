/**
 * The scheduler Lambda's entry (bundled to packages/scheduler/dist/index.js).
 * Config is read once at cold start; errors name the variable.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients, DynamoMessageStore, SnsPublisher } from '@rez/aws';
import {
  builtInRegistry,
  readPositiveInt,
  readStage,
  requireEnv,
  systemClock,
  ulidGenerator,
} from '@rez/core';
import { createSchedulerHandler } from './handler';

const env = process.env;
const stage = readStage(env);
const topicArn = requireEnv(env, 'REZ_TOPIC_ARN');
const tableName = requireEnv(env, 'REZ_MESSAGES_TABLE');
const retentionDays = readPositiveInt(env, 'REZ_RETENTION_DAYS', 30);
const clients = createAwsClients();

export const handler = createSchedulerHandler({
  registry: builtInRegistry(),
  store: new DynamoMessageStore({ client: clients.documents, tableName, stage, retentionDays }),
  bus: new SnsPublisher({ client: clients.sns, topicArn }),
  clock: systemClock,
  ids: ulidGenerator(),
  stage,
  logger: new Logger({ serviceName: 'rez-scheduler', persistentKeys: { stage } }),
});
