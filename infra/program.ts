import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type BundleName, requireBundle } from './bundles';
import { Alerts } from './components/alerts';
import { Edge } from './components/edge';
import { Messaging } from './components/messaging';
import { Network } from './components/network';
import { firesDaily, Scheduler } from './components/scheduler';
import { Secrets } from './components/secrets';
import { Store } from './components/store';
import { WEB_TIMEOUT_SECONDS, Web } from './components/web';
import { Worker } from './components/worker';
import { configWarnings, type RezConfig } from './config';
import { boundaryPolicyArn, PROJECT, STAGE_TAG, stagePrefix, workloadRolePath } from './naming';

/** The stack outputs (`pulumi stack output`). */
export interface RezOutputs {
  /** `https://<distribution>.cloudfront.net` (or the custom domain): open the console here. */
  consoleUrl: pulumi.Output<string>;
  /** `<consoleUrl>/auth/callback`: register it as the redirect URI of the OpenID client. */
  callbackUrl: pulumi.Output<string>;
  /** The distribution's own name: the CNAME target for a custom domain. */
  distributionDomainName: pulumi.Output<string>;
  topicArn: pulumi.Output<string>;
  alarmTopicArn: pulumi.Output<string>;
  queueUrl: pulumi.Output<string>;
  deadLetterQueueUrl: pulumi.Output<string>;
  tableName: pulumi.Output<string>;
  /** Where pushes go: subscribe to this URL in the ntfy app. */
  ntfyTopicUrl: string;
  scheduleNames: pulumi.Output<string>[];
}

/** How long CloudFront waits for the console: longer than the web function may run. */
const ORIGIN_READ_TIMEOUT_SECONDS = WEB_TIMEOUT_SECONDS + 30;

/**
 * Composes the components for one stage. Every resource is named
 * `rez-<stage>-…` and tagged `rez:stage=<stage>` (infra/naming.ts), the
 * scope the stage's deploy role is limited to. `bundle` finds each built
 * Lambda bundle.
 */
export function createRez(
  config: RezConfig,
  bundle: (name: BundleName) => string = (name) => requireBundle(name),
): RezOutputs {
  const { stage } = config;
  const prefix = stagePrefix(stage);
  // Resolve every bundle first, so a missing build fails before any resource is declared.
  const bundles = { worker: bundle('worker'), scheduler: bundle('scheduler'), web: bundle('web') };
  for (const warning of configWarnings(config)) pulumi.log.warn(warning);

  // One provider for the whole stage: its default tags put the stage on every resource.
  const provider = new aws.Provider(`${prefix}-aws`, {
    region: aws.config.region,
    defaultTags: { tags: { [STAGE_TAG]: stage, 'rez:project': PROJECT } },
  });
  const inStage = { providers: { aws: provider } };
  const invoke = { provider };
  const account = aws.getCallerIdentityOutput({}, invoke);
  const partition = aws.getPartitionOutput({}, invoke);
  const roleScope = {
    path: workloadRolePath(stage),
    permissionsBoundary: pulumi
      .all([partition.partition, account.accountId])
      .apply(([p, id]) => boundaryPolicyArn(p, id, stage)),
  };

  const store = new Store(
    prefix,
    { pointInTimeRecovery: config.store.pointInTimeRecovery, deletionProtection: stage === 'prod' },
    inStage,
  );
  const messaging = new Messaging(
    prefix,
    {
      maxReceiveCount: config.queue.maxReceiveCount,
      consumerTimeoutSeconds: config.worker.timeoutSeconds,
      messageRetentionDays: config.queue.messageRetentionDays,
    },
    inStage,
  );
  const secrets = new Secrets(
    `${prefix}-secrets`,
    {
      stage,
      values: {
        oauthClientSecret: config.web.oauthClientSecret,
        sessionKey: config.web.sessionKey,
        ntfyToken: config.ntfy.token,
        actionKey: config.push.actionKey,
      },
    },
    inStage,
  );
  const table = {
    tableName: store.table.name,
    tableArn: store.table.arn,
    retentionDays: config.store.retentionDays,
  };

  // The console's way in comes first: every push links to it (the worker's REZ_PUBLIC_URL).
  const network = new Network(
    `${prefix}-network`,
    { availabilityZones: aws.getAvailabilityZonesOutput({ state: 'available' }, invoke).names },
    inStage,
  );
  const edge = new Edge(
    `${prefix}-console`,
    {
      stage,
      vpcId: network.vpc.id,
      vpcCidr: network.cidrBlock,
      subnetIds: network.privateSubnets.map((subnet) => subnet.id),
      customDomain: config.web.customDomain,
      originReadTimeoutSeconds: ORIGIN_READ_TIMEOUT_SECONDS,
    },
    inStage,
  );
  const worker = new Worker(
    `${prefix}-worker`,
    {
      stage,
      bundleDir: bundles.worker,
      queueArn: messaging.queue.arn,
      queueVisibilityTimeoutSeconds: messaging.visibilityTimeoutSeconds,
      deadLetterQueueUrl: messaging.deadLetterQueue.url,
      deadLetterQueueArn: messaging.deadLetterQueue.arn,
      topicArn: messaging.topic.arn,
      ...table,
      ntfy: { baseUrl: config.ntfy.baseUrl, topic: config.ntfy.topic, limits: config.ntfy.limits },
      secrets,
      push: {
        publicUrl: edge.url,
        actions: config.push.actions,
        ttlHours: config.push.ttlHours,
        snoozeHours: config.push.snoozeHours,
        builtInSchedules: config.schedules.map((schedule) => schedule.name),
      },
      maxReceiveCount: config.queue.maxReceiveCount,
      timeoutSeconds: config.worker.timeoutSeconds,
      memoryMb: config.worker.memoryMb,
      batchSize: config.worker.batchSize,
      batchWindowSeconds: config.worker.batchWindowSeconds,
      maxConcurrency: config.worker.maxConcurrency,
      logRetentionDays: config.logRetentionDays,
      roleScope,
    },
    inStage,
  );

  const scheduler = new Scheduler(
    `${prefix}-scheduler`,
    {
      stage,
      bundleDir: bundles.scheduler,
      schedules: config.schedules,
      topicArn: messaging.topic.arn,
      ...table,
      ntfy: { baseUrl: config.ntfy.baseUrl, topic: config.ntfy.topic, limits: config.ntfy.limits },
      logRetentionDays: config.logRetentionDays,
      accountId: account.accountId,
      roleScope,
    },
    inStage,
  );

  new Web(
    `${prefix}-web`,
    {
      stage,
      bundleDir: bundles.web,
      topicArn: messaging.topic.arn,
      ...table,
      queueUrl: messaging.queue.url,
      queueArn: messaging.queue.arn,
      deadLetterQueueUrl: messaging.deadLetterQueue.url,
      deadLetterQueueArn: messaging.deadLetterQueue.arn,
      ntfy: { baseUrl: config.ntfy.baseUrl, topic: config.ntfy.topic, limits: config.ntfy.limits },
      pushActions: config.push.actions,
      oauthIssuer: config.web.oauthIssuer,
      oauthClientId: config.web.oauthClientId,
      allowedUsers: config.web.allowedUsers,
      secrets,
      schedules: config.schedules,
      userSchedules: scheduler.userScheduleAccess,
      userScheduleLimit: config.web.userScheduleLimit,
      publicUrl: edge.url,
      targetGroupArn: edge.targetGroup.arn,
      logRetentionDays: config.logRetentionDays,
      roleScope,
    },
    inStage,
  );

  new Alerts(
    `${prefix}-alerts`,
    {
      stage,
      alarmTopicArn: messaging.alarmTopic.arn,
      deadLetterQueueName: messaging.deadLetterQueue.name,
      scheduleDeadLetterQueueName: scheduler.deadLetterQueue.name,
      workerFunctionName: worker.fn.name,
      schedulerFunctionName: scheduler.fn.name,
      expectsDailyRun: config.schedules.some(firesDaily),
      email: config.alerts.email,
    },
    inStage,
  );

  return {
    consoleUrl: edge.url,
    callbackUrl: edge.callbackUrl,
    distributionDomainName: edge.distribution.domainName,
    topicArn: messaging.topic.arn,
    alarmTopicArn: messaging.alarmTopic.arn,
    queueUrl: messaging.queue.url,
    deadLetterQueueUrl: messaging.deadLetterQueue.url,
    tableName: store.table.name,
    ntfyTopicUrl: `${config.ntfy.baseUrl}/${config.ntfy.topic}`,
    scheduleNames: scheduler.schedules.map((s) => s.name),
  };
}
