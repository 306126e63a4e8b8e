/**
 * What every Rez Lambda reads from its environment, wired to AWS adapters that
 * open on first use (see openedOnFirstCall). Imported as `@rez/aws/from-env`,
 * apart from the package's main entry: a Lambda bundle then holds no adapter
 * (nor AWS SDK client) in the code it runs at cold start. The console's queue
 * and metrics have their own entries (queue-from-env, metrics-from-env), so a
 * Lambda that does not use them ships none of their code.
 */
import {
  type Env,
  type MessagePublisher,
  type MessageStore,
  readPositiveInt,
  readStage,
  requireEnv,
  type Stage,
} from '@rez/core';
import { openedOnFirstCall } from './on-first-call';

/** What every Rez Lambda shares: its stage, the message store and the topic. */
export interface AwsPipeline {
  stage: Stage;
  /** DynamoDB; its client is built on the first call. */
  store: MessageStore;
  /** SNS; its client is built on the first publish. */
  publisher: MessagePublisher;
}

const STORE_METHODS: Record<keyof MessageStore, true> = {
  put: true,
  get: true,
  claim: true,
  complete: true,
  fail: true,
  reject: true,
  hold: true,
  note: true,
  list: true,
  children: true,
  counts: true,
  consoleSessionState: true,
  revokeConsoleSession: true,
  endConsoleSessions: true,
};

/**
 * Reads REZ_STAGE, REZ_TOPIC_ARN, REZ_MESSAGES_TABLE and REZ_RETENTION_DAYS
 * (default 30) once, at cold start — a missing or bad variable throws a
 * ConfigError naming it — and returns the store and the publisher. Their
 * SDK clients are built on first use and then kept, so warm invocations
 * reuse their connections and a cold start loads no client it does not use.
 * Per-service endpoints come from the SDK's standard variables
 * (AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL_DYNAMODB, or AWS_ENDPOINT_URL).
 *
 * @example
 * const { stage, store, publisher } = awsPipelineFromEnv(process.env);
 */
export function awsPipelineFromEnv(env: Env): AwsPipeline {
  const stage = readStage(env);
  const topicArn = requireEnv(env, 'REZ_TOPIC_ARN');
  const tableName = requireEnv(env, 'REZ_MESSAGES_TABLE');
  const retentionDays = readPositiveInt(env, 'REZ_RETENTION_DAYS', 30);
  return {
    stage,
    store: openedOnFirstCall(
      async () => (await import('./on-demand/dynamodb')).openStore({ tableName, stage, retentionDays }),
      STORE_METHODS,
    ),
    publisher: openedOnFirstCall(async () => (await import('./on-demand/sns')).openPublisher({ topicArn }), {
      publish: true,
    }),
  };
}
