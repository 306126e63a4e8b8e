/**
 * The worker Lambda's entry (bundled to packages/worker/dist/index.js).
 * Configuration is read and validated once, at cold start: a missing or bad
 * variable fails the init with an error naming it. The ntfy token (when the
 * topic is reserved) and the push action key are read from SSM on the first
 * event, before any record is touched: a parameter that cannot be read fails that invocation with an
 * error naming the parameter and its variable, and the whole batch goes back
 * to the queue. The AWS clients are built on first use and kept, so warm
 * invocations reuse their connections and a cold start loads only what its
 * first batch needs (DynamoDB always; SNS when a handler emits; SSM when
 * there is a token; SQS only to delay a rate-limited message or to
 * dead-letter a permanent failure).
 */
import { awsPipelineFromEnv } from '@rez/aws/from-env';
import {
  createEmfCounters,
  createJsonLogger,
  METRICS_NAMESPACE,
  PIPELINE_METRICS,
  WORKER_SERVICE,
} from '@rez/aws/observability';
import { pushStateFromEnv } from '@rez/aws/push-state-from-env';
import { secretsFromEnv } from '@rez/aws/secrets-from-env';
import { sqsDeadLetterFromEnv, sqsRedelivery } from '@rez/aws/worker-queue-from-env';
import {
  builtInRegistry,
  NtfyClient,
  optionalEnv,
  readActionKey,
  readBuiltInScheduleNames,
  readNtfyConfig,
  readPositiveInt,
  readPushActionConfig,
  readPushLimits,
  readUrl,
  systemClock,
  ulidGenerator,
} from '@rez/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createWorkerHandler } from './handler';
import type { PipelineMetrics } from './observability';
import { pushDeps } from './push';

const env = process.env;
const { stage, store, publisher } = awsPipelineFromEnv(env);
const pushState = pushStateFromEnv(env);
const secrets = secretsFromEnv(env, { optional: ['ntfyToken', 'actionKey'] });
const redelivery = sqsRedelivery();
const deadLetter = sqsDeadLetterFromEnv(env);
const ntfy = readNtfyConfig(env);
// How long one attempt holds a message in the store. Above the function
// timeout, so a slow but live invocation is never taken over; below the
// queue's visibility timeout, so the copy SQS redelivers after a crash or
// timeout finds the lease lapsed and recovers it (instead of "busy" until
// the DLQ). The infra sets it to the worker timeout + a margin.
const leaseSeconds = readPositiveInt(env, 'REZ_LEASE_SECONDS', 60);
// The queue's maxReceiveCount: a failure on the last receive is alerted with a Retry button.
const maxReceiveCount = readPositiveInt(env, 'REZ_MAX_RECEIVE_COUNT', 5, 1000);
// Pushes open the console (REZ_PUBLIC_URL, the CloudFront URL) and carry action buttons signed with the action key.
const publicUrl = optionalEnv(env, 'REZ_PUBLIC_URL') ? readUrl(env, 'REZ_PUBLIC_URL') : undefined;
const actionConfig = readPushActionConfig(env);
const builtInSchedules = readBuiltInScheduleNames(env);
const limits = readPushLimits(env, ntfy.baseUrl);

const logger = createJsonLogger({ service: WORKER_SERVICE, keys: { stage } });
const emf = createEmfCounters({
  namespace: METRICS_NAMESPACE,
  service: WORKER_SERVICE,
  dimensions: { stage },
});
const metrics: PipelineMetrics = {
  record: (event) => emf.add(PIPELINE_METRICS[event]),
  flush: () => emf.flush(),
};

/** The handler, once its secrets are read: built on the first event, again after a failed read. */
async function build(): Promise<(event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>> {
  const { ntfyToken, actionKey } = await secrets.load();
  const registry = builtInRegistry();
  const key =
    actionConfig.enabled && actionKey ? readActionKey(actionKey, secrets.describe('actionKey')) : undefined;
  return createWorkerHandler({
    registry,
    store,
    bus: publisher,
    clock: systemClock,
    stage,
    leaseMs: leaseSeconds * 1000,
    logger,
    metrics,
    delayRedelivery: (record, seconds) => redelivery.delay(record, seconds),
    deadLetter: (record) => deadLetter(record),
    maxReceiveCount,
    ...pushDeps(
      {
        notifier: new NtfyClient({
          baseUrl: ntfy.baseUrl,
          topic: ntfy.topic,
          token: ntfyToken,
          timeoutMs: 10_000,
        }),
        store,
        state: pushState,
        bus: publisher,
        registry,
        clock: systemClock,
        ids: ulidGenerator(),
        stage,
        onError: (what, error) =>
          logger.warn(`could not do ${what}`, {
            reason: error instanceof Error ? error.message : String(error),
          }),
      },
      {
        ntfy,
        limits,
        publicUrl,
        actions: key && { key, ttlMs: actionConfig.ttlMs, snoozeMs: actionConfig.snoozeMs, builtInSchedules },
      },
    ),
  });
}

let built: ReturnType<typeof build> | undefined;

export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  built ??= build().catch((error: unknown) => {
    built = undefined;
    logger.error('worker cannot start: its ntfy token could not be read', {
      reason: error instanceof Error ? error.message : String(error),
    });
    throw error;
  });
  return (await built)(event, context);
};
