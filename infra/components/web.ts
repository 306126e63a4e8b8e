import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { SecretKey } from '@rez/aws';
import type { ScheduleDefinition } from '@rez/core';
import { bundledFunction, pipelineEnvironment } from './function';
import { allow, allowOnAnyResource, messageStoreStatements, type RoleScope, SNS_PUBLISH } from './iam';
import type { UserScheduleAccess } from './scheduler';
import type { Secrets } from './secrets';

/** The web function's timeout; CloudFront's origin read timeout (Edge) must be longer. */
export const WEB_TIMEOUT_SECONDS = 30;

export interface WebArgs {
  stage: string;
  /** Folder of the built web bundle (packages/web/dist, index.js plus its views). */
  bundleDir: string;
  topicArn: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
  /** Days a message stays in the store (its TTL), passed as REZ_RETENTION_DAYS. */
  retentionDays: number;
  tableArn: pulumi.Input<string>;
  queueUrl: pulumi.Input<string>;
  queueArn: pulumi.Input<string>;
  deadLetterQueueUrl: pulumi.Input<string>;
  deadLetterQueueArn: pulumi.Input<string>;
  /** The worker's ntfy server, topic and limits: the dashboard shows that budget (NTFY_*). */
  ntfy: { baseUrl: string; topic: string; limits?: string };
  /** Push action links answered (REZ_PUSH_ACTIONS); on, the secrets must hold actionKey. */
  pushActions: boolean;
  oauthIssuer: string;
  oauthClientId: string;
  /** Holds the OAuth client secret and the session key; the function gets their parameter names. */
  secrets: Secrets;
  /** The stack's schedules, shown on the dashboard (REZ_SCHEDULES, JSON). */
  schedules: readonly ScheduleDefinition[];
  /** The user schedule group and how to create schedules in it (Scheduler.userScheduleAccess). */
  userSchedules: UserScheduleAccess;
  /** Most user schedules the stage may hold (REZ_USER_SCHEDULE_LIMIT); default 100. */
  userScheduleLimit?: number;
  /** Users allowed into the console; passed as REZ_ALLOWED_USERS, comma-separated. */
  allowedUsers: string[];
  /** The console's https:// URL (from Edge): REZ_PUBLIC_URL, from which the app builds its OAuth callback. */
  publicUrl: pulumi.Input<string>;
  /** The load balancer's target group (type lambda) the function is registered in. */
  targetGroupArn: pulumi.Input<string>;
  logRetentionDays: number;
  roleScope: RoleScope;
}

/**
 * The console: the web Lambda, registered in the Edge's load balancer target
 * group (type lambda, multi-value headers on, so repeated query parameters
 * and Set-Cookie headers survive). It reads its secrets from SSM by the
 * parameter names in its environment.
 */
export class Web extends pulumi.ComponentResource {
  readonly fn: aws.lambda.Function;

  constructor(name: string, args: WebArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:web:Web', name, {}, opts);
    validate(args);
    const secretKeys: SecretKey[] = [
      'oauthClientSecret',
      'sessionKey',
      ...(args.pushActions ? ['actionKey' as const] : []),
    ];

    const created = bundledFunction(
      name,
      {
        functionName: `rez-${args.stage}-web`,
        bundleDir: args.bundleDir,
        timeoutSeconds: WEB_TIMEOUT_SECONDS,
        memoryMb: 1024,
        logRetentionDays: args.logRetentionDays,
        roleScope: args.roleScope,
        environment: {
          ...pipelineEnvironment(args),
          NTFY_BASE_URL: args.ntfy.baseUrl,
          NTFY_TOPIC: args.ntfy.topic,
          ...(args.ntfy.limits === undefined ? {} : { NTFY_LIMITS: args.ntfy.limits }),
          REZ_PUSH_ACTIONS: String(args.pushActions),
          REZ_QUEUE_URL: args.queueUrl,
          REZ_DLQ_URL: args.deadLetterQueueUrl,
          OAUTH_ISSUER: args.oauthIssuer,
          OAUTH_CLIENT_ID: args.oauthClientId,
          REZ_ALLOWED_USERS: args.allowedUsers.join(','),
          REZ_PUBLIC_URL: args.publicUrl,
          REZ_SCHEDULES: JSON.stringify(args.schedules),
          ...args.userSchedules.environment,
          REZ_USER_SCHEDULE_LIMIT: String(args.userScheduleLimit ?? 100),
          ...args.secrets.environment(secretKeys),
        },
        statements: () => [
          allow('SubmitMessages', SNS_PUBLISH, [args.topicArn]),
          ...messageStoreStatements(args.tableArn),
          // Deleting a user schedule's definition; giving back a push action link whose action did nothing.
          allow('DeleteItems', ['dynamodb:DeleteItem'], [args.tableArn]),
          ...args.userSchedules.statements(),
          // Queue depth for the dashboard; SendMessage because a DLQ redrive moves messages into it.
          allow('QueueDepthAndRedriveTarget', ['sqs:GetQueueAttributes', 'sqs:SendMessage'], [args.queueArn]),
          // Listing peeks (receive, then visible again); redrive receives, sends on, deletes in batches.
          allow(
            'InspectAndRedriveDeadLetters',
            [
              'sqs:GetQueueAttributes',
              'sqs:ReceiveMessage',
              'sqs:DeleteMessage',
              'sqs:ChangeMessageVisibility',
            ],
            [args.deadLetterQueueArn],
          ),
          ...args.secrets.readStatement('ReadConsoleSecrets', secretKeys),
          // GetMetricData has no resource-level permissions: AWS only accepts Resource "*".
          allowOnAnyResource('ReadMetrics', ['cloudwatch:GetMetricData']),
        ],
      },
      this,
    );
    this.fn = created.fn;

    const permission = new aws.lambda.Permission(
      `${name}-alb-invoke`,
      {
        action: 'lambda:InvokeFunction',
        function: this.fn.name,
        principal: 'elasticloadbalancing.amazonaws.com',
        sourceArn: args.targetGroupArn,
      },
      { parent: this },
    );
    new aws.lb.TargetGroupAttachment(
      `${name}-tg-attachment`,
      { targetGroupArn: args.targetGroupArn, targetId: this.fn.arn },
      { parent: this, dependsOn: [permission] },
    );

    this.registerOutputs({ functionName: this.fn.name });
  }
}

function validate(args: WebArgs): void {
  if (args.allowedUsers.length === 0) throw new Error('Web: allowedUsers must name at least one user');
  if (args.allowedUsers.some((u) => u.includes(','))) {
    throw new Error('Web: allowedUsers entries must not contain "," (REZ_ALLOWED_USERS is comma-separated)');
  }
  const limit = args.userScheduleLimit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10_000))
    throw new Error(`Web: userScheduleLimit must be a whole number from 1 to 10000, got ${limit}`);
  for (const key of ['oauthClientSecret', 'sessionKey'] as const) {
    if (!args.secrets.parameters[key]) throw new Error(`Web: secrets must hold ${key} (rez:${key})`);
  }
}
