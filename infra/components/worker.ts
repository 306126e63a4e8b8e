import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bundledFunction, pipelineEnvironment } from './function';
import { allow, messageStoreStatements, type RoleScope, SNS_PUBLISH, SQS_EVENT_SOURCE } from './iam';
import { VISIBILITY_TO_TIMEOUT_RATIO } from './messaging';
import type { Secrets } from './secrets';

export interface WorkerArgs {
  stage: string;
  /** Folder of the built worker bundle (packages/worker/dist). */
  bundleDir: string;
  /** The queue the worker consumes, and its visibility timeout (≥ 6 × timeoutSeconds). */
  queueArn: pulumi.Input<string>;
  queueVisibilityTimeoutSeconds: number;
  /** The queue's DLQ: the worker sends a permanent failure there at once (REZ_DLQ_URL). */
  deadLetterQueueUrl: pulumi.Input<string>;
  deadLetterQueueArn: pulumi.Input<string>;
  /** Topic the worker publishes emitted messages to. */
  topicArn: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
  /** Days a message stays in the store (its TTL), passed as REZ_RETENTION_DAYS. */
  retentionDays: number;
  tableArn: pulumi.Input<string>;
  /** ntfy's server, topic and the limits pushes are paced by (NTFY_LIMITS; unset: by server). */
  ntfy: { baseUrl: string; topic: string; limits?: string };
  /** Holds the ntfy token (a reserved topic) and the push action key; the function gets their parameter names. */
  secrets: Secrets;
  /** Where pushes link to and what their buttons do. */
  push: {
    /** The console's URL (Edge): every push opens its message there (REZ_PUBLIC_URL). */
    publicUrl: pulumi.Input<string>;
    /** Action buttons on pushes (REZ_PUSH_ACTIONS); on, the secrets must hold actionKey. */
    actions: boolean;
    ttlHours: number;
    snoozeHours: number;
    /** The stack's schedule names: their pushes get Run again but no Snooze (REZ_BUILT_IN_SCHEDULES). */
    builtInSchedules: string[];
  };
  /** The queue's maxReceiveCount: a failure on the last receive raises the failure push (REZ_MAX_RECEIVE_COUNT). */
  maxReceiveCount: number;
  roleScope: RoleScope;
  timeoutSeconds: number;
  memoryMb: number;
  /** Event source mapping: messages per invocation (1–10000) and how long to gather them (0–300 s). */
  batchSize: number;
  batchWindowSeconds: number;
  /**
   * Most invocations the event source mapping runs at once (its
   * scalingConfig.maximumConcurrency, 2–1000): with the shared ntfy budget
   * the one thing pacing pushes, a backlog must not scale out to hundreds of
   * Lambdas that each try to send.
   */
  maxConcurrency: number;
  logRetentionDays: number;
}

/**
 * The worker Lambda (nodejs22.x, packages/worker/dist) and the SQS event
 * source mapping that reports batch item failures, so one bad message does
 * not send its whole batch back to the queue.
 */
export class Worker extends pulumi.ComponentResource {
  readonly fn: aws.lambda.Function;
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:worker:Worker', name, {}, opts);
    validate(args);
    const created = bundledFunction(
      `${name}`,
      {
        functionName: `rez-${args.stage}-worker`,
        bundleDir: args.bundleDir,
        timeoutSeconds: args.timeoutSeconds,
        memoryMb: args.memoryMb,
        logRetentionDays: args.logRetentionDays,
        roleScope: args.roleScope,
        environment: {
          ...pipelineEnvironment(args),
          NTFY_BASE_URL: args.ntfy.baseUrl,
          NTFY_TOPIC: args.ntfy.topic,
          ...(args.ntfy.limits === undefined ? {} : { NTFY_LIMITS: args.ntfy.limits }),
          REZ_PUBLIC_URL: args.push.publicUrl,
          REZ_PUSH_ACTIONS: String(args.push.actions),
          REZ_PUSH_ACTION_TTL_HOURS: String(args.push.ttlHours),
          REZ_SNOOZE_HOURS: String(args.push.snoozeHours),
          REZ_BUILT_IN_SCHEDULES: args.push.builtInSchedules.join(','),
          REZ_MAX_RECEIVE_COUNT: String(args.maxReceiveCount),
          REZ_DLQ_URL: args.deadLetterQueueUrl,
          REZ_LEASE_SECONDS: String(
            workerLeaseSeconds(args.timeoutSeconds, args.queueVisibilityTimeoutSeconds),
          ),
          ...args.secrets.environment(['ntfyToken', ...(args.push.actions ? (['actionKey'] as const) : [])]),
        },
        statements: () => [
          // The event source mapping polls with this role; the code delays a rate-limited record.
          allow('EventSource', SQS_EVENT_SOURCE, [args.queueArn]),
          allow('DelayRedelivery', ['sqs:ChangeMessageVisibility'], [args.queueArn]),
          // A permanent failure skips its retries: the worker sends it to the DLQ itself.
          allow('DeadLetterPermanentFailures', ['sqs:SendMessage'], [args.deadLetterQueueArn]),
          allow('PublishEmitted', SNS_PUBLISH, [args.topicArn]),
          ...messageStoreStatements(args.tableArn),
          // Push state: an acknowledgement ends when its alarm is OK (DynamoPushStateStore).
          allow('EndAlarmAcknowledgements', ['dynamodb:DeleteItem'], [args.tableArn]),
          ...args.secrets.readStatement('ReadWorkerSecrets', [
            'ntfyToken',
            ...(args.push.actions ? (['actionKey'] as const) : []),
          ]),
        ],
      },
      this,
    );
    this.fn = created.fn;
    this.logGroup = created.logGroup;

    new aws.lambda.EventSourceMapping(
      `${name}-queue-mapping`,
      {
        eventSourceArn: args.queueArn,
        functionName: this.fn.arn,
        batchSize: args.batchSize,
        maximumBatchingWindowInSeconds: args.batchWindowSeconds,
        functionResponseTypes: ['ReportBatchItemFailures'],
        scalingConfig: { maximumConcurrency: args.maxConcurrency },
      },
      { parent: this, dependsOn: [created.role] },
    );

    this.registerOutputs({ functionName: this.fn.name, functionArn: this.fn.arn });
  }
}

/**
 * The worker's store lease (REZ_LEASE_SECONDS): the function timeout plus a
 * margin of up to 30 s, kept below the queue's visibility timeout. Above the
 * timeout, so a live invocation is never taken over; below the visibility
 * timeout, so a copy redelivered after a crash or timeout finds the lease
 * lapsed and is recovered rather than refused as busy.
 */
export function workerLeaseSeconds(timeoutSeconds: number, visibilityTimeoutSeconds: number): number {
  const margin = Math.min(30, Math.floor((visibilityTimeoutSeconds - timeoutSeconds) / 2));
  return timeoutSeconds + Math.max(1, margin);
}

function validate(args: WorkerArgs): void {
  if (!Number.isInteger(args.timeoutSeconds) || args.timeoutSeconds < 1 || args.timeoutSeconds > 900) {
    throw new Error(
      `Worker: timeoutSeconds must be a whole number from 1 to 900, got ${args.timeoutSeconds}`,
    );
  }
  if (args.queueVisibilityTimeoutSeconds < VISIBILITY_TO_TIMEOUT_RATIO * args.timeoutSeconds) {
    throw new Error(
      `Worker: queueVisibilityTimeoutSeconds (${args.queueVisibilityTimeoutSeconds}) must be at least ` +
        `${VISIBILITY_TO_TIMEOUT_RATIO} × timeoutSeconds (${args.timeoutSeconds})`,
    );
  }
  if (!Number.isInteger(args.batchSize) || args.batchSize < 1 || args.batchSize > 10_000) {
    throw new Error(`Worker: batchSize must be a whole number from 1 to 10000, got ${args.batchSize}`);
  }
  if (
    !Number.isInteger(args.batchWindowSeconds) ||
    args.batchWindowSeconds < 0 ||
    args.batchWindowSeconds > 300
  ) {
    throw new Error(
      `Worker: batchWindowSeconds must be a whole number from 0 to 300, got ${args.batchWindowSeconds}`,
    );
  }
  if (!Number.isInteger(args.maxConcurrency) || args.maxConcurrency < 2 || args.maxConcurrency > 1000) {
    throw new Error(
      `Worker: maxConcurrency must be a whole number from 2 to 1000 (the event source mapping's range), got ${args.maxConcurrency}`,
    );
  }
  if (args.push.actions && !args.secrets.parameters.actionKey) {
    throw new Error('Worker: push actions need the action key in secrets (rez:actionKey)');
  }
  if (args.batchSize > 10 && args.batchWindowSeconds < 1) {
    throw new Error(
      `Worker: batchWindowSeconds must be at least 1 when batchSize (${args.batchSize}) is over 10`,
    );
  }
}
