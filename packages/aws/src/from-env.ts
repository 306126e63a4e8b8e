import { type Env, readPositiveInt, readStage, requireEnv, type Stage } from '@rez/core';
import { SnsPublisher } from './bus/sns-publisher';
import { type AwsClients, createAwsClients } from './clients';
import { DynamoMessageStore } from './store/dynamo-store';

/** What every Rez Lambda shares: its stage, the AWS clients, the message store and the topic. */
export interface AwsPipeline {
  stage: Stage;
  clients: AwsClients;
  store: DynamoMessageStore;
  publisher: SnsPublisher;
}

/**
 * Reads REZ_STAGE, REZ_TOPIC_ARN, REZ_MESSAGES_TABLE and REZ_RETENTION_DAYS
 * (default 30) once, at cold start — a missing or bad variable throws a
 * ConfigError naming it — and creates the clients, the store and the
 * publisher, so warm invocations reuse their connections.
 *
 * @example
 * const { stage, store, publisher } = awsPipelineFromEnv(process.env);
 */
export function awsPipelineFromEnv(env: Env): AwsPipeline {
  const stage = readStage(env);
  const topicArn = requireEnv(env, 'REZ_TOPIC_ARN');
  const tableName = requireEnv(env, 'REZ_MESSAGES_TABLE');
  const retentionDays = readPositiveInt(env, 'REZ_RETENTION_DAYS', 30);
  const clients = createAwsClients();
  return {
    stage,
    clients,
    store: new DynamoMessageStore({ client: clients.documents, tableName, stage, retentionDays }),
    publisher: new SnsPublisher({ client: clients.sns, topicArn }),
  };
}
