/**
 * The worker Lambda's entry (bundled to packages/worker/dist/index.mjs).
 * Configuration is read and validated once, at cold start: a missing or bad
 * variable fails the init with an error naming it. The AWS clients are built
 * on first use and kept, so warm invocations reuse their connections and a
 * cold start loads only what its first batch needs (DynamoDB always; SNS
 * when a handler emits; SQS only to delay a rate-limited message).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { awsPipelineFromEnv } from '@rez/aws/from-env';
import { sqsRedelivery } from '@rez/aws/queue-from-env';
import { builtInRegistry, NtfyClient, readNtfyConfig, readPositiveInt, systemClock } from '@rez/core';
import { createWorkerHandler } from './handler';
import { METRIC_NAMES, type PipelineMetrics } from './observability';

const env = process.env;
const { stage, store, publisher } = awsPipelineFromEnv(env);
const redelivery = sqsRedelivery();
const ntfy = readNtfyConfig(env);
// How long one attempt holds a message in the store. Above the function
// timeout, so a slow but live invocation is never taken over; below the
// queue's visibility timeout, so the copy SQS redelivers after a crash or
// timeout finds the lease lapsed and recovers it (instead of "busy" until
// the DLQ). The infra sets it to the worker timeout + a margin.
const leaseSeconds = readPositiveInt(env, 'REZ_LEASE_SECONDS', 60);

const logger = new Logger({ serviceName: 'rez-worker', persistentKeys: { stage } });
const emf = new Metrics({ namespace: 'RezAgent', serviceName: 'rez-worker', defaultDimensions: { stage } });
const metrics: PipelineMetrics = {
  record: (event) => emf.addMetric(METRIC_NAMES[event], MetricUnit.Count, 1),
  flush: () => emf.publishStoredMetrics(),
};

export const handler = createWorkerHandler({
  registry: builtInRegistry(),
  store,
  bus: publisher,
  notifier: new NtfyClient({
    baseUrl: ntfy.baseUrl,
    topic: ntfy.topic,
    token: ntfy.token,
    timeoutMs: 10_000,
  }),
  clock: systemClock,
  stage,
  leaseMs: leaseSeconds * 1000,
  logger,
  metrics,
  delayRedelivery: (record, seconds) => redelivery.delay(record, seconds),
});
