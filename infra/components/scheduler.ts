import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  parseScheduleExpression,
  parseSchedules,
  type ScheduleDefinition,
  scheduleInvocation,
} from '@rez/core';
import { bundledFunction, pipelineEnvironment } from './function';
import {
  allow,
  allowPassRole,
  messageStoreStatements,
  type PolicyStatement,
  policyDocument,
  type RoleScope,
  SNS_PUBLISH,
  serviceRole,
} from './iam';

export interface SchedulerArgs {
  stage: string;
  /** Folder of the built scheduler bundle (packages/scheduler/dist). */
  bundleDir: string;
  /** The definitions to run: @rez/core SCHEDULES or the stack's `rez:schedules`; validated again here. */
  schedules: ScheduleDefinition[];
  topicArn: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
  /** Days a message stays in the store (its TTL), passed as REZ_RETENTION_DAYS. */
  retentionDays: number;
  tableArn: pulumi.Input<string>;
  /**
   * The worker's ntfy server, topic and limits: after each run the function
   * sweeps pushes held for a digest, by the same budget (NTFY_*).
   */
  ntfy: { baseUrl: string; topic: string; limits?: string };
  logRetentionDays: number;
  /** Account EventBridge Scheduler must act for (confused-deputy guard on the role's trust policy). */
  accountId: pulumi.Input<string>;
  roleScope: RoleScope;
  /** Retries of a failed invocation before it goes to the schedule DLQ (0–185). Default 3. */
  maximumRetryAttempts?: number;
  /** Give up on an invocation this long after it was due (60–86400 s). Default 1 hour. */
  maximumEventAgeSeconds?: number;
}

/**
 * How the console creates user schedules in EventBridge Scheduler: the
 * group, and the same target, role, retry policy and DLQ as the built-in
 * schedules. Its `environment` is what the web function reads
 * (@rez/aws/schedules-from-env); its `statements` what it may do with them.
 */
export interface UserScheduleAccess {
  groupName: pulumi.Output<string>;
  environment: Record<string, pulumi.Input<string>>;
  /** Manage schedules in the user group only; pass only the schedule role, only to EventBridge Scheduler. */
  statements(): PolicyStatement[];
}

/**
 * The scheduler Lambda and one EventBridge Scheduler schedule per
 * definition, in a schedule group of this stack. Every schedule invokes the
 * function with `scheduleInvocation(definition)` as input, through a role
 * that may invoke only that function (and drop failures in the schedule DLQ).
 * A second group, `rez-<stage>-user-schedules`, holds the schedules people
 * create from the console (see {@link userScheduleAccess}).
 */
export class Scheduler extends pulumi.ComponentResource {
  readonly fn: aws.lambda.Function;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly schedules: aws.scheduler.Schedule[];
  /** The group of the schedules people manage. */
  readonly userGroup: aws.scheduler.ScheduleGroup;
  /** The role every schedule (built-in and user) invokes the function as. */
  readonly scheduleRole: aws.iam.Role;
  readonly userScheduleAccess: UserScheduleAccess;

  constructor(name: string, args: SchedulerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rez:scheduler:Scheduler', name, {}, opts);
    const schedules = validate(args);
    const parent = { parent: this };
    const retries = args.maximumRetryAttempts ?? 3;
    const maxAge = args.maximumEventAgeSeconds ?? 3600;

    const created = bundledFunction(
      name,
      {
        functionName: `rez-${args.stage}-scheduler`,
        bundleDir: args.bundleDir,
        timeoutSeconds: 30,
        memoryMb: 256,
        logRetentionDays: args.logRetentionDays,
        roleScope: args.roleScope,
        environment: {
          ...pipelineEnvironment(args),
          NTFY_BASE_URL: args.ntfy.baseUrl,
          NTFY_TOPIC: args.ntfy.topic,
          ...(args.ntfy.limits === undefined ? {} : { NTFY_LIMITS: args.ntfy.limits }),
        },
        statements: () => [
          allow('PublishScheduled', SNS_PUBLISH, [args.topicArn]),
          // submitMessage puts, and on a failed publish claims (a consistent read) and fails the record;
          // a user schedule's run is checked against its stored definition (GetItem by key, in the same grant).
          ...messageStoreStatements(args.tableArn),
        ],
      },
      this,
    );
    this.fn = created.fn;

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-schedule-dlq`,
      { messageRetentionSeconds: 14 * 86_400, sqsManagedSseEnabled: true },
      parent,
    );

    const role = serviceRole(
      `${name}-schedule-role`,
      'scheduler.amazonaws.com',
      args.roleScope,
      this,
      args.accountId,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-schedule-policy`,
      {
        role: role.id,
        policy: policyDocument([
          allow('InvokeScheduler', ['lambda:InvokeFunction'], [this.fn.arn]),
          // Scheduler sends undeliverable invocations to the DLQ as this role.
          allow('DeadLetter', ['sqs:SendMessage'], [this.deadLetterQueue.arn]),
        ]),
      },
      parent,
    );

    this.scheduleRole = role;
    const group = new aws.scheduler.ScheduleGroup(
      `${name}-group`,
      { namePrefix: `rez-${args.stage}-` },
      parent,
    );
    this.userGroup = new aws.scheduler.ScheduleGroup(
      `${name}-user-group`,
      { name: `rez-${args.stage}-user-schedules` },
      parent,
    );
    const userGroup = this.userGroup;
    const fn = this.fn;
    const deadLetterQueue = this.deadLetterQueue;
    // A schedule's ARN is its group's with "schedule/<group>/<name>" for "schedule-group/<group>".
    const userSchedules = userGroup.arn.apply((arn) => `${arn.replace(':schedule-group/', ':schedule/')}/*`);
    this.userScheduleAccess = {
      groupName: userGroup.name,
      environment: {
        REZ_USER_SCHEDULE_GROUP: userGroup.name,
        REZ_SCHEDULER_FUNCTION_ARN: fn.arn,
        REZ_SCHEDULE_ROLE_ARN: role.arn,
        REZ_SCHEDULE_DLQ_ARN: deadLetterQueue.arn,
        REZ_SCHEDULE_MAX_RETRIES: String(retries),
        REZ_SCHEDULE_MAX_EVENT_AGE_SECONDS: String(maxAge),
      },
      statements: () => [
        allow(
          'ManageUserSchedules',
          [
            'scheduler:CreateSchedule',
            'scheduler:UpdateSchedule',
            'scheduler:DeleteSchedule',
            'scheduler:GetSchedule',
          ],
          [userSchedules],
        ),
        // Creating or updating a schedule passes its target's role.
        allowPassRole('PassScheduleRole', [role.arn], 'scheduler.amazonaws.com'),
      ],
    };

    this.schedules = schedules.map(
      (definition) =>
        new aws.scheduler.Schedule(
          `${name}-${definition.name}`,
          {
            name: definition.name,
            groupName: group.name,
            description: definition.description,
            scheduleExpression: definition.expression,
            scheduleExpressionTimezone: definition.timezone,
            flexibleTimeWindow: { mode: 'OFF' },
            state: 'ENABLED',
            target: {
              arn: this.fn.arn,
              roleArn: role.arn,
              input: JSON.stringify(scheduleInvocation(definition)),
              retryPolicy: { maximumRetryAttempts: retries, maximumEventAgeInSeconds: maxAge },
              deadLetterConfig: { arn: this.deadLetterQueue.arn },
            },
          },
          { parent: this, dependsOn: [rolePolicy] },
        ),
    );

    this.registerOutputs({
      functionName: this.fn.name,
      scheduleNames: this.schedules.map((s) => s.name),
      deadLetterQueueUrl: this.deadLetterQueue.url,
      userScheduleGroup: this.userGroup.name,
    });
  }
}

function validate(args: SchedulerArgs): ScheduleDefinition[] {
  let schedules: ScheduleDefinition[];
  try {
    schedules = parseSchedules(args.schedules);
  } catch (error) {
    throw new Error(`Scheduler: schedules are invalid: ${(error as Error).message}`);
  }
  if (schedules.length === 0) throw new Error('Scheduler: schedules must hold at least one definition');
  const retries = args.maximumRetryAttempts;
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 185)) {
    throw new Error(`Scheduler: maximumRetryAttempts must be a whole number from 0 to 185, got ${retries}`);
  }
  const age = args.maximumEventAgeSeconds;
  if (age !== undefined && (!Number.isInteger(age) || age < 60 || age > 86_400)) {
    throw new Error(`Scheduler: maximumEventAgeSeconds must be a whole number from 60 to 86400, got ${age}`);
  }
  return schedules;
}

/**
 * Whether a schedule fires at least once every 24 hours: a rate of a day or
 * less, or a cron on every day of every month. The missed-schedule alarm
 * watches for a day without an invocation, so it only makes sense then.
 */
export function firesDaily(definition: ScheduleDefinition): boolean {
  const parsed = parseScheduleExpression(definition.expression);
  if (parsed.kind === 'rate') return parsed.everyMs <= 86_400_000;
  if (parsed.kind === 'cron') {
    const [, , dayOfMonth, month, dayOfWeek, year] = parsed.fields;
    const every = (field: string) => field === '*' || field === '?';
    return every(dayOfMonth) && every(month) && every(dayOfWeek) && every(year);
  }
  return false;
}
