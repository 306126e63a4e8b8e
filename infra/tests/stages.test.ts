import * as path from 'node:path';
import { SCHEDULES, scheduleInvocation } from '@rez/core';
import { loadConfig, type RezConfig } from '../config';
import { createRez, type RezOutputs } from '../program';
import { MESSAGES_TABLE } from '../table';
import {
  installMocks,
  ofType,
  one,
  plain,
  type Recorded,
  resolved,
  settle,
  stackConfig,
  statements,
  stubBundleRoot,
  TEST_SECRETS,
} from './harness';

const bundles = stubBundleRoot();

interface Run {
  config: RezConfig;
  recorded: Recorded[];
  outputs: RezOutputs;
}

async function run(stage: string, overrides: Record<string, string> = {}): Promise<Run> {
  const recorded = installMocks(stage, { ...stackConfig(stage), ...TEST_SECRETS, ...overrides });
  const config = loadConfig(stage);
  const outputs = createRez(config, (name) => path.join(bundles, name, 'dist'));
  await settle();
  return { config, recorded, outputs };
}

const runs: Record<string, Run> = {};
beforeAll(async () => {
  runs.dev = await run('dev');
  runs.prod = await run('prod');
});

describe.each(['dev', 'prod'])('Stage: %s', (stage) => {
  const get = () => runs[stage];

  describe('Component: Messaging', () => {
    it('redrives to the DLQ after rez:maxReceiveCount receives', () => {
      const { recorded, config } = get();
      const queue = one(recorded, 'aws:sqs/queue:Queue', 'rez-queue');
      const dlq = one(recorded, 'aws:sqs/queue:Queue', 'rez-dlq');
      const redrive = JSON.parse(queue.inputs.redrivePolicy);
      expect(redrive.maxReceiveCount).toBe(config.queue.maxReceiveCount);
      expect(redrive.deadLetterTargetArn).toContain(dlq.name);
    });

    it('gives the queue a visibility timeout of at least 6 × the worker timeout', () => {
      const { recorded } = get();
      const queue = one(recorded, 'aws:sqs/queue:Queue', 'rez-queue');
      const worker = one(recorded, 'aws:lambda/function:Function', 'rez-worker-function');
      expect(queue.inputs.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * worker.inputs.timeout);
    });

    it('encrypts every queue at rest with SQS-managed keys', () => {
      const queues = ofType(get().recorded, 'aws:sqs/queue:Queue');
      expect(queues).toHaveLength(3);
      for (const queue of queues) expect(queue.inputs.sqsManagedSseEnabled).toBe(true);
    });

    it('delivers the main topic raw and the alarm topic as SNS envelopes', () => {
      const { recorded } = get();
      const main = one(recorded, 'aws:sns/topicSubscription:TopicSubscription', 'rez-queue-subscription');
      const alarms = one(recorded, 'aws:sns/topicSubscription:TopicSubscription', 'rez-alarm-subscription');
      expect(main.inputs).toMatchObject({ protocol: 'sqs', rawMessageDelivery: true });
      expect(main.inputs.topic).toContain('rez-topic');
      expect(alarms.inputs).toMatchObject({ protocol: 'sqs', rawMessageDelivery: false });
      expect(alarms.inputs.topic).toContain('rez-alarms');
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
        'rez-alarms-1a2b3c4',
        'rez-topic-1a2b3c4',
      ]);
    });
  });

  describe('Component: Worker', () => {
    it('runs nodejs22.x from the worker bundle with the pipeline env', async () => {
      const { recorded, config } = get();
      const fn = one(recorded, 'aws:lambda/function:Function', 'rez-worker-function');
      expect(fn.inputs).toMatchObject({ runtime: 'nodejs22.x', handler: 'index.handler' });
      expect(await fn.inputs.code.path).toBe(path.join(bundles, 'worker', 'dist'));
      const env = plain(fn.inputs.environment).variables;
      expect(env).toMatchObject({
        REZ_STAGE: stage,
        NTFY_BASE_URL: config.ntfy.baseUrl,
        NTFY_TOPIC: config.ntfy.topic,
        NTFY_TOKEN: TEST_SECRETS['rez:ntfyToken'],
      });
      expect(env.REZ_TOPIC_ARN).toContain('rez-topic');
      expect(env.REZ_MESSAGES_TABLE).toContain('rez-messages');
    });

    it('gives every function the stage’s store retention, and keeps prod’s longer', () => {
      const { recorded, config } = get();
      const retention = ['rez-worker-function', 'rez-scheduler-function', 'rez-web-function'].map(
        (name) =>
          plain(one(recorded, 'aws:lambda/function:Function', name).inputs.environment).variables
            .REZ_RETENTION_DAYS,
      );
      expect(retention).toEqual(Array(3).fill(String(config.store.retentionDays)));
      expect(config.store.retentionDays).toBe(stage === 'prod' ? 90 : 14);
    });

    it('leases a message for longer than the worker timeout and less than the queue visibility timeout', () => {
      const { recorded } = get();
      const fn = one(recorded, 'aws:lambda/function:Function', 'rez-worker-function');
      const queue = one(recorded, 'aws:sqs/queue:Queue', 'rez-queue');
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
      expect(mapping.inputs.eventSourceArn).toContain('rez-queue');
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
      const role = one(recorded, 'aws:iam/role:Role', 'rez-scheduler-schedule-role');
      const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
      expect(trust.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
      expect(trust.Condition.StringEquals['aws:SourceAccount']).toBe('123456789012');
      const policy = statements(
        one(recorded, 'aws:iam/rolePolicy:RolePolicy', 'rez-scheduler-schedule-policy').inputs.policy,
      );
      expect(policy.map((s) => [s.Action, s.Resource.map((r) => r.split(':').pop())])).toEqual([
        [['lambda:InvokeFunction'], [`rez-${stage}-scheduler`]],
        [['sqs:SendMessage'], ['rez-scheduler-schedule-dlq-1a2b3c4']],
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

  describe('Component: Web', () => {
    it('puts the web Lambda behind a lambda target group with multi-value headers', async () => {
      const { recorded } = get();
      const group = one(recorded, 'aws:lb/targetGroup:TargetGroup');
      expect(group.inputs).toMatchObject({ targetType: 'lambda', lambdaMultiValueHeadersEnabled: true });
      const permission = one(recorded, 'aws:lambda/permission:Permission');
      expect(permission.inputs).toMatchObject({
        action: 'lambda:InvokeFunction',
        principal: 'elasticloadbalancing.amazonaws.com',
        function: `rez-${stage}-web`,
      });
      expect(permission.inputs.sourceArn).toContain(group.name);
      const fn = one(recorded, 'aws:lambda/function:Function', 'rez-web-function');
      expect(await fn.inputs.code.path).toBe(path.join(bundles, 'web', 'dist'));
      expect(one(recorded, 'aws:lb/loadBalancer:LoadBalancer').inputs.subnets).toEqual([
        'subnet-a',
        'subnet-b',
        'subnet-c',
      ]);
    });

    it('passes the console its config, secrets included, and its public URL', async () => {
      const { recorded, config, outputs } = get();
      const fn = one(recorded, 'aws:lambda/function:Function', 'rez-web-function');
      const env = plain(fn.inputs.environment).variables;
      expect(env).toMatchObject({
        REZ_STAGE: stage,
        OAUTH_ISSUER: config.web.oauthIssuer,
        OAUTH_CLIENT_ID: config.web.oauthClientId,
        OAUTH_CLIENT_SECRET: TEST_SECRETS['rez:oauthClientSecret'],
        REZ_SESSION_KEY: TEST_SECRETS['rez:sessionKey'],
        REZ_ALLOWED_USERS: config.web.allowedUsers.join(','),
        REZ_PUBLIC_URL: await resolved(outputs.consoleUrl),
      });
      expect(JSON.parse(env.REZ_SCHEDULES)).toEqual(config.schedules);
      expect(env.REZ_QUEUE_URL).toContain('rez-queue');
      expect(env.REZ_DLQ_URL).toContain('rez-dlq');
    });

    it('listens on plain HTTP when no certificate is configured', () => {
      const listeners = ofType(get().recorded, 'aws:lb/listener:Listener');
      expect(
        listeners.map((l) => [l.inputs.port, l.inputs.protocol, l.inputs.defaultActions[0].type]),
      ).toEqual([[80, 'HTTP', 'forward']]);
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
      expect(byName['dlq-not-empty'].dimensions.QueueName).toContain('rez-dlq');
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
        treatMissingData: 'breaching',
        dimensions: { FunctionName: `rez-${stage}-scheduler` },
      });
      expect(byName['schedule-dead-letters'].dimensions.QueueName).toContain('schedule-dlq');
      for (const alarm of alarms) {
        expect(alarm.inputs.alarmActions).toEqual([expect.stringContaining('rez-alarms')]);
        expect(alarm.inputs.okActions).toEqual(alarm.inputs.alarmActions);
      }
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
                policy: 'rez-web-policy',
                actions: ['cloudwatch:GetMetricData'],
                resources: ['*'],
              },
            );
          }
        }
      }
    });

    it.each([
      ['rez-worker-policy', ['logs:', 'sqs:', 'sns:', 'dynamodb:']],
      ['rez-scheduler-policy', ['logs:', 'sns:', 'dynamodb:']],
    ])('%s uses only the services it needs', (name, prefixes) => {
      const policy = one(get().recorded, 'aws:iam/rolePolicy:RolePolicy', name);
      const actions = statements(policy.inputs.policy).flatMap((s) => s.Action);
      for (const action of actions) expect(prefixes.some((p) => action.startsWith(p))).toBe(true);
      if (name === 'rez-scheduler-policy') {
        expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ]);
      }
    });

    it('lets the web console redrive the DLQ', () => {
      const policy = one(get().recorded, 'aws:iam/rolePolicy:RolePolicy', 'rez-web-policy');
      const dlq = statements(policy.inputs.policy).find((s) => s.Sid === 'InspectAndRedriveDeadLetters');
      expect(dlq?.Action).toEqual(
        expect.arrayContaining(['sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks']),
      );
      expect(dlq?.Resource).toEqual([expect.stringContaining('rez-dlq')]);
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

describe('Web with a certificate', () => {
  it('serves HTTPS on 443 with the certificate and redirects HTTP to it', async () => {
    const certificateArn = 'arn:aws:acm:eu-central-1:123456789012:certificate/abc-123';
    const { recorded, outputs } = await run('prod', {
      'rez:certificateArn': certificateArn,
      'rez:publicUrl': 'https://rez.example.com',
    });
    const listeners = ofType(recorded, 'aws:lb/listener:Listener');
    const https = listeners.find((l) => l.inputs.port === 443);
    const http = listeners.find((l) => l.inputs.port === 80);
    expect(https?.inputs).toMatchObject({ protocol: 'HTTPS', certificateArn });
    expect(https?.inputs.defaultActions[0].type).toBe('forward');
    expect(http?.inputs.defaultActions).toEqual([
      { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
    ]);
    expect(await resolved(outputs.consoleUrl)).toBe('https://rez.example.com');
    const ingress = one(recorded, 'aws:ec2/securityGroup:SecurityGroup').inputs.ingress;
    expect(ingress.map((r: { fromPort: number }) => r.fromPort)).toEqual([80, 443]);
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
