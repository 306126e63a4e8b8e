import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { type BundleName, requireBundle } from './bundles';
import { Alerts } from './components/alerts';
import { Messaging } from './components/messaging';
import { firesDaily, Scheduler } from './components/scheduler';
import { Store } from './components/store';
import { Web } from './components/web';
import { Worker } from './components/worker';
import type { RezConfig } from './config';

/** The stack outputs (`pulumi stack output`). */
export interface RezOutputs {
  consoleUrl: pulumi.Output<string>;
  topicArn: pulumi.Output<string>;
  alarmTopicArn: pulumi.Output<string>;
  queueUrl: pulumi.Output<string>;
  deadLetterQueueUrl: pulumi.Output<string>;
  tableName: pulumi.Output<string>;
  /** Where pushes go: subscribe to this URL in the ntfy app. */
  ntfyTopicUrl: string;
  scheduleNames: pulumi.Output<string>[];
}

/** Composes the components for one stage. `bundle` finds each built Lambda bundle. */
export function createRez(
  config: RezConfig,
  bundle: (name: BundleName) => string = (name) => requireBundle(name),
): RezOutputs {
  const { stage } = config;
  // Resolve every bundle first, so a missing build fails before any resource is declared.
  const bundles = { worker: bundle('worker'), scheduler: bundle('scheduler'), web: bundle('web') };
  const account = aws.getCallerIdentityOutput();

  const store = new Store('rez', {
    pointInTimeRecovery: config.store.pointInTimeRecovery,
    deletionProtection: stage === 'prod',
  });
  const messaging = new Messaging('rez', {
    maxReceiveCount: config.queue.maxReceiveCount,
    consumerTimeoutSeconds: config.worker.timeoutSeconds,
    messageRetentionDays: config.queue.messageRetentionDays,
  });
  const table = {
    tableName: store.table.name,
    tableArn: store.table.arn,
    retentionDays: config.store.retentionDays,
  };

  const worker = new Worker('rez-worker', {
    stage,
    bundleDir: bundles.worker,
    queueArn: messaging.queue.arn,
    queueVisibilityTimeoutSeconds: messaging.visibilityTimeoutSeconds,
    topicArn: messaging.topic.arn,
    ...table,
    ntfy: config.ntfy,
    timeoutSeconds: config.worker.timeoutSeconds,
    memoryMb: config.worker.memoryMb,
    batchSize: config.worker.batchSize,
    batchWindowSeconds: config.worker.batchWindowSeconds,
    logRetentionDays: config.logRetentionDays,
  });

  const scheduler = new Scheduler('rez-scheduler', {
    stage,
    bundleDir: bundles.scheduler,
    schedules: config.schedules,
    topicArn: messaging.topic.arn,
    ...table,
    logRetentionDays: config.logRetentionDays,
    accountId: account.accountId,
  });

  const web = new Web('rez-web', {
    stage,
    bundleDir: bundles.web,
    topicArn: messaging.topic.arn,
    ...table,
    queueUrl: messaging.queue.url,
    queueArn: messaging.queue.arn,
    deadLetterQueueUrl: messaging.deadLetterQueue.url,
    deadLetterQueueArn: messaging.deadLetterQueue.arn,
    schedules: config.schedules,
    ...config.web,
    logRetentionDays: config.logRetentionDays,
  });

  new Alerts('rez-alerts', {
    stage,
    alarmTopicArn: messaging.alarmTopic.arn,
    deadLetterQueueName: messaging.deadLetterQueue.name,
    scheduleDeadLetterQueueName: scheduler.deadLetterQueue.name,
    workerFunctionName: worker.fn.name,
    schedulerFunctionName: scheduler.fn.name,
    expectsDailyRun: config.schedules.some(firesDaily),
  });

  return {
    consoleUrl: web.url,
    topicArn: messaging.topic.arn,
    alarmTopicArn: messaging.alarmTopic.arn,
    queueUrl: messaging.queue.url,
    deadLetterQueueUrl: messaging.deadLetterQueue.url,
    tableName: store.table.name,
    ntfyTopicUrl: `${config.ntfy.baseUrl}/${config.ntfy.topic}`,
    scheduleNames: scheduler.schedules.map((s) => s.name),
  };
}
