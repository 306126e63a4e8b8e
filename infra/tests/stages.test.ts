import * as path from 'node:path';
import { SCHEDULES, scheduleInvocation } from '@rez/core';
import { DEAD_LETTER_GRACE_DAYS } from '../components/messaging';
import { loadConfig } from '../config';
import { MESSAGES_TABLE } from '../table';
import {
  installMocks,
  ofType,
  one,
  plain,
  type Recorded,
  runStage,
  type StageRun,
  stackConfig,
  statements,
  stubBundles,
  TEST_SECRETS,
} from './harness';

const bundles = stubBundles();
const run = runStage;

const runs: Record<string, StageRun> = {};
beforeAll(async () => {
  runs.dev = await run('dev');
  runs.prod = await run('prod');
});

describe.each(['dev', 'prod'])('Stage: %s', (stage) => {
  const get = () => runs[stage];
  const p = `rez-${stage}`;

  describe('Component: Messaging', () => {
    it('redrives to the DLQ after rez:maxReceiveCount receives', () => {
      const { recorded, config } = get();
      const queue = one(recorded, 'aws:sqs/queue:Queue', `${p}-queue`);
      const dlq = one(recorded, 'aws:sqs/queue:Queue', `${p}-dlq`);
      const redrive = JSON.parse(queue.inputs.redrivePolicy);
      expect(redrive.maxReceiveCount).toBe(config.queue.maxReceiveCount);
      expect(redrive.deadLetterTargetArn).toContain(dlq.name);
    });

    it('keeps a dead letter at least a week longer than the queue keeps a message (a moved message keeps its first enqueue time)', () => {
      const { recorded } = get();
      const queue = one(recorded, 'aws:sqs/queue:Queue', `${p}-queue`);
      const dlq = one(recorded, 'aws:sqs/queue:Queue', `${p}-dlq`);
      expect(dlq.inputs.messageRetentionSeconds).toBe(14 * 86_400);
      expect(
        dlq.inputs.messageRetentionSeconds - queue.inputs.messageRetentionSeconds,
      ).toBeGreaterThanOrEqual(DEAD_LETTER_GRACE_DAYS * 86_400);
    });

    it('gives the queue a visibility timeout of at least 6 × the worker timeout', () => {
      const { recorded } = get();
      const queue = one(recorded, 'aws:sqs/queue:Queue', `${p}-queue`);
      const worker = one(recorded, 'aws:lambda/function:Function', `${p}-worker-function`);
      expect(queue.inputs.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * worker.inputs.timeout);
    });

    it('encrypts every queue at rest with SQS-managed keys', () => {
      const queues = ofType(get().recorded, 'aws:sqs/queue:Queue');
      expect(queues).toHaveLength(3);
      for (const queue of queues) expect(queue.inputs.sqsManagedSseEnabled).toBe(true);
    });

    it('delivers the main topic raw and the alarm topic as SNS envelopes', () => {
      const { recorded } = get();
      const main = one(recorded, 'aws:sns/topicSubscription:TopicSubscription', `${p}-queue-subscription`);
      const alarms = one(recorded, 'aws:sns/topicSubscription:TopicSubscription', `${p}-alarm-subscription`);
      expect(main.inputs).toMatchObject({ protocol: 'sqs', rawMessageDelivery: true });
      expect(main.inputs.topic).toContain(`${p}-topic`);
      expect(alarms.inputs).toMatchObject({ protocol: 'sqs', rawMessageDelivery: false });
      expect(alarms.inputs.topic).toContain(`${p}-alarms`);
    });

    it('admits only the two topics to the queue', () => {
      const { recorded } = get();
      const policy = JSON.parse(one(recorded, 'aws:sqs/queuePolicy:QueuePolicy').inputs.policy);
      expect(ofType(recorded, 'aws:sns/topic:Topic')).toHaveLength(2);
      expect(policy.Statement).toHaveLength(1);
      const [statement] = policy.Statement;
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
      });
      const sources: string[] = statement.Condition.ArnEquals['aws:SourceArn'];
      expect(sources.map((arn) => arn.split(':').pop()).sort()).toEqual([
        `${p}-alarms-1a2b3c4`,
        `${p}-topic-1a2b3c4`,
      ]);
    });
  });

  describe('Component: Worker', () => {
    it('runs nodejs22.x from the worker bundle with the pipeline env and its DLQ', async () => {
      const { recorded, config } = get();
      const fn = one(recorded, 'aws:lambda/function:Function', `${p}-worker-function`);
      expect(fn.inputs).toMatchObject({ runtime: 'nodejs22.x', handler: 'index.handler' });
      expect(await fn.inputs.code.path).toBe(path.join(bundles, 'worker', 'dist'));
      const env = plain(fn.inputs.environment).variables;
      expect(env).toMatchObject({
        REZ_STAGE: stage,
        NTFY_BASE_URL: config.ntfy.baseUrl,
        NTFY_TOPIC: config.ntfy.topic,
        // The parameter's name and its version: a new token restarts every instance.
        REZ_NTFY_TOKEN_PARAMETER: `/rez/${stage}/ntfy-token:1`,
      });
      expect(env.REZ_TOPIC_ARN).toContain(`${p}-topic`);
      // Permanent failures go to the DLQ at once (the worker's deadLetter).
      expect(env.REZ_DLQ_URL).toMatch(new RegExp(`/${p}-dlq-[0-9a-f]+$`));
      expect(env.REZ_MESSAGES_TABLE).toContain(`${p}-messages`);
    });

    it('gives every function the stage’s store retention, and keeps prod’s longer', () => {
      const { recorded, config } = get();
      const retention = [`${p}-worker-function`, `${p}-scheduler-function`, `${p}-web-function`].map(
        (name) =>
          plain(one(recorded, 'aws:lambda/function:Function', name).inputs.environment).variables
            .REZ_RETENTION_DAYS,
      );
      expect(retention).toEqual(Array(3).fill(String(config.store.retentionDays)));
      expect(config.store.retentionDays).toBe(stage === 'prod' ? 90 : 14);
    });

    it('leases a message for longer than the worker timeout and less than the queue visibility timeout', () => {
      const { recorded } = get();
      const fn = one(recorded, 'aws:lambda/function:Function', `${p}-worker-function`);
      const queue = one(recorded, 'aws:sqs/queue:Queue', `${p}-queue`);
      const lease = Number(plain(fn.inputs.environment).variables.REZ_LEASE_SECONDS);
      expect(Number.isInteger(lease)).toBe(true);
      expect(lease).toBeGreaterThan(fn.inputs.timeout);
      expect(lease).toBeLessThan(queue.inputs.visibilityTimeoutSeconds);
    });

    it('reports batch item failures, with batch size and window from config', () => {
      const { recorded, config } = get();
      const mapping = one(recorded, 'aws:lambda/eventSourceMapping:EventSourceMapping');
      expect(mapping.inputs.functionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(mapping.inputs.batchSize).toBe(config.worker.batchSize);
      expect(mapping.inputs.maximumBatchingWindowInSeconds).toBe(config.worker.batchWindowSeconds);
      expect(mapping.inputs.eventSourceArn).toContain(`${p}-queue`);
    });

    it('gives every function a log group with the stage retention', () => {
      const { recorded, config } = get();
      const groups = ofType(recorded, 'aws:cloudwatch/logGroup:LogGroup');
      expect(groups.map((g) => g.inputs.name).sort()).toEqual(
        ['scheduler', 'web', 'worker'].map((n) => `/aws/lambda/rez-${stage}-${n}`),
      );
      for (const group of groups) expect(group.inputs.retentionInDays).toBe(config.logRetentionDays);
    });
  });

  describe('Component: Scheduler', () => {
    it('creates one schedule per definition, invoking the scheduler with scheduleInvocation(def)', () => {
      const { recorded } = get();
      const schedules = ofType(recorded, 'aws:scheduler/schedule:Schedule');
      expect(schedules.map((s) => s.inputs.name)).toEqual(SCHEDULES.map((d) => d.name));
      for (const definition of SCHEDULES) {
        const schedule = schedules.find((s) => s.inputs.name === definition.name) as Recorded;
        expect(schedule.inputs.scheduleExpression).toBe(definition.expression);
        expect(schedule.inputs.scheduleExpressionTimezone).toBe(definition.timezone);
        expect(schedule.inputs.flexibleTimeWindow).toEqual({ mode: 'OFF' });
        expect(JSON.parse(schedule.inputs.target.input)).toEqual(scheduleInvocation(definition));
        expect(schedule.inputs.target.arn).toContain(`rez-${stage}-scheduler`);
        expect(schedule.inputs.target.retryPolicy).toEqual({
          maximumRetryAttempts: 3,
          maximumEventAgeInSeconds: 3600,
        });
        expect(schedule.inputs.target.deadLetterConfig.arn).toContain('schedule-dlq');
      }
    });

    it('lets EventBridge Scheduler (for this account only) invoke just the scheduler function', () => {
      const { recorded } = get();
      const role = one(recorded, 'aws:iam/role:Role', `${p}-scheduler-schedule-role`);
      const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
      expect(trust.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
      expect(trust.Condition.StringEquals['aws:SourceAccount']).toBe('123456789012');
      const policy = statements(
        one(recorded, 'aws:iam/rolePolicy:RolePolicy', `${p}-scheduler-schedule-policy`).inputs.policy,
      );
      expect(policy.map((s) => [s.Action, s.Resource.map((r) => r.split(':').pop())])).toEqual([
        [['lambda:InvokeFunction'], [`${p}-scheduler`]],
        [['sqs:SendMessage'], [`${p}-scheduler-schedule-dlq-1a2b3c4`]],
      ]);
    });
  });

  describe('Component: Store', () => {
    it('creates the messages table on demand, with every index of MESSAGES_TABLE and TTL on expires_at', () => {
      const table = one(get().recorded, 'aws:dynamodb/table:Table');
      expect(table.inputs).toMatchObject({
        billingMode: 'PAY_PER_REQUEST',
        hashKey: 'pk',
        rangeKey: 'sk',
        ttl: { attributeName: 'expires_at', enabled: true },
        serverSideEncryption: { enabled: true },
      });
      expect(table.inputs.globalSecondaryIndexes.map((i: { name: string }) => i.name)).toEqual(
        MESSAGES_TABLE.globalSecondaryIndexes.map((i) => i.name),
      );
    });

    it(`has point-in-time recovery ${stage === 'prod' ? 'on' : 'off'}`, () => {
      const table = one(get().recorded, 'aws:dynamodb/table:Table');
      expect(table.inputs.pointInTimeRecovery).toEqual({ enabled: stage === 'prod' });
      expect(table.inputs.deletionProtectionEnabled).toBe(stage === 'prod');
    });
  });

  describe('Component: Alerts', () => {
    it('alarms on dead letters, worker errors and a missed daily schedule, notifying the alarm topic', () => {
      const alarms = ofType(get().recorded, 'aws:cloudwatch/metricAlarm:MetricAlarm');
      const byName = Object.fromEntries(
        alarms.map((a) => [a.inputs.name.replace(`rez-${stage}-`, ''), a.inputs]),
      );
      expect(byName['dlq-not-empty']).toMatchObject({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 0,
      });
      expect(byName['dlq-not-empty'].dimensions.QueueName).toContain(`${p}-dlq`);
      expect(byName['worker-errors']).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        statistic: 'Sum',
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 0,
        dimensions: { FunctionName: `rez-${stage}-worker` },
      });
      expect(byName['schedule-missed']).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName: 'Invocations',
        statistic: 'Sum',
        period: 86_400,
        comparisonOperator: 'LessThanThreshold',
        threshold: 1,
        dimensions: { FunctionName: `rez-${stage}-scheduler` },
      });
      expect(byName['schedule-dead-letters'].dimensions.QueueName).toContain('schedule-dlq');
      for (const alarm of alarms) {
        expect(alarm.inputs.alarmActions).toEqual([expect.stringContaining(`${p}-alarms`)]);
        expect(alarm.inputs.okActions).toEqual(alarm.inputs.alarmActions);
      }
    });

    it('does not fire the missed-schedule alarm on a new deploy, and notifies when a day passes without a run', () => {
      const alarm = one(
        get().recorded,
        'aws:cloudwatch/metricAlarm:MetricAlarm',
        `${p}-alerts-schedule-missed`,
      );
      // A new alarm is INSUFFICIENT_DATA and actions run on changes only; `breaching`
      // would put it in ALARM at creation. A day with no Invocations datapoint is
      // INSUFFICIENT_DATA under `missing`, which must notify.
      expect(alarm.inputs.treatMissingData).toBe('missing');
      expect(alarm.inputs.insufficientDataActions).toEqual(alarm.inputs.alarmActions);
      expect(alarm.inputs.period * alarm.inputs.evaluationPeriods).toBe(86_400);
    });

    it('sends alarms nowhere but the alarm topic unless rez:alertEmail is set', () => {
      const subscriptions = ofType(get().recorded, 'aws:sns/topicSubscription:TopicSubscription');
      expect(subscriptions.map((s) => s.inputs.protocol).sort()).toEqual(['sqs', 'sqs']);
    });
  });

  describe('IAM', () => {
    it('names every action and resource; "*" only for cloudwatch:GetMetricData', () => {
      const policies = ofType(get().recorded, 'aws:iam/rolePolicy:RolePolicy');
      expect(policies).toHaveLength(4);
      for (const policy of policies) {
        for (const statement of statements(policy.inputs.policy)) {
          for (const action of statement.Action) expect(action).not.toContain('*');
          if (statement.Resource.includes('*')) {
            expect({ policy: policy.name, actions: statement.Action, resources: statement.Resource }).toEqual(
              {
                policy: `${p}-web-policy`,
                actions: ['cloudwatch:GetMetricData'],
                resources: ['*'],
              },
            );
          }
        }
      }
    });

    it.each([
      ['worker-policy', ['logs:', 'sqs:', 'sns:', 'dynamodb:', 'ssm:']],
      ['scheduler-policy', ['logs:', 'sns:', 'dynamodb:']],
    ])('%s uses only the services it needs', (name, prefixes) => {
      const policy = one(get().recorded, 'aws:iam/rolePolicy:RolePolicy', `${p}-${name}`);
      const actions = statements(policy.inputs.policy).flatMap((s) => s.Action);
      for (const action of actions) expect(prefixes.some((prefix) => action.startsWith(prefix))).toBe(true);
      if (name === 'scheduler-policy') {
        // The whole store is in its bundle (infra/tests/iam-code.test.ts): items and queries, no scans or batches;
        // GetItem also checks a user schedule's run against its stored definition.
        expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ]);
      }
    });

    it('lets the web console redrive the DLQ', () => {
      const policy = one(get().recorded, 'aws:iam/rolePolicy:RolePolicy', `${p}-web-policy`);
      const dlq = statements(policy.inputs.policy).find((s) => s.Sid === 'InspectAndRedriveDeadLetters');
      expect(dlq?.Action).toEqual(
        expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
      );
      expect(dlq?.Resource).toEqual([expect.stringContaining(`${p}-dlq`)]);
    });

    it('puts every role under /rez/<stage>/ with the stage’s permissions boundary', () => {
      const roles = ofType(get().recorded, 'aws:iam/role:Role');
      expect(roles).toHaveLength(4);
      for (const role of roles) {
        expect(role.inputs.path).toBe(`/rez/${stage}/`);
        expect(role.inputs.permissionsBoundary).toBe(
          `arn:aws:iam::123456789012:policy/rez-bootstrap/rez-${stage}-boundary`,
        );
        expect(role.name.startsWith(`${p}-`)).toBe(true);
      }
    });
  });
});

describe('Stages differ as intended', () => {
  it('sends prod pushes to https://ntfy.sh/rzesz-alerts and dev pushes elsewhere', async () => {
    expect(runs.prod.outputs.ntfyTopicUrl).toBe('https://ntfy.sh/rzesz-alerts');
    expect(runs.dev.outputs.ntfyTopicUrl).not.toBe(runs.prod.outputs.ntfyTopicUrl);
  });

  it('keeps prod logs and messages longer and retries more', () => {
    const [dev, prod] = [runs.dev.config, runs.prod.config];
    expect(prod.logRetentionDays).toBeGreaterThan(dev.logRetentionDays);
    expect(prod.queue.messageRetentionDays).toBeGreaterThan(dev.queue.messageRetentionDays);
    expect(prod.queue.maxReceiveCount).toBeGreaterThan(dev.queue.maxReceiveCount);
    expect(prod.store.pointInTimeRecovery).toBe(true);
    expect(dev.store.pointInTimeRecovery).toBe(false);
  });
});

describe('Schedules from stack config', () => {
  it('replaces the built-in schedules with rez:schedules, validated by parseSchedules', async () => {
    const custom = [
      {
        name: 'morning-hello',
        description: 'A hello at nine',
        expression: 'cron(0 9 * * ? *)',
        timezone: 'Europe/Warsaw',
        type: 'hello_world',
        payload: { greeting: 'dzień dobry' },
      },
    ];
    const { recorded } = await run('dev', { 'rez:schedules': JSON.stringify(custom) });
    const [schedule] = ofType(recorded, 'aws:scheduler/schedule:Schedule');
    expect(schedule.inputs).toMatchObject({
      name: 'morning-hello',
      scheduleExpression: 'cron(0 9 * * ? *)',
      scheduleExpressionTimezone: 'Europe/Warsaw',
    });
    expect(JSON.parse(schedule.inputs.target.input)).toEqual(scheduleInvocation(custom[0]));
  });

  it('rejects an invalid schedule with an error naming rez:schedules', () => {
    installMocks('dev', {
      ...stackConfig('dev'),
      ...TEST_SECRETS,
      'rez:schedules': JSON.stringify([{ ...SCHEDULES[0], expression: 'rate(1 hours)' }]),
    });
    expect(() => loadConfig('dev')).toThrow(/rez:schedules.*rate\(1 hour\)/);
  });
});
