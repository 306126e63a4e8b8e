/**
 * The schedules people manage, as the mocked program declares them: the
 * stage's user schedule group, what the web function may do in it (and only
 * there), and the settings it gets to create schedules like the built-in ones.
 */
import { boundaryPolicy } from '../bootstrap/policies';
import { ACCOUNT_SCOPE } from './fakes';
import { one, plain, runStage, type StageRun, statements } from './harness';
import { decide, type EvalDocument } from './iam-eval';

const runs: Record<string, StageRun> = {};
beforeAll(async () => {
  runs.dev = await runStage('dev');
  runs.prod = await runStage('prod', { 'rez:userScheduleLimit': '25' });
});

const arn = (resource: string) => `arn:aws:scheduler:eu-central-1:123456789012:${resource}`;

describe.each(['dev', 'prod'])('User schedules: %s', (stage) => {
  const p = `rez-${stage}`;
  const get = () => runs[stage];
  const webPolicy = (): EvalDocument => ({
    Statement: statements(
      one(get().recorded, 'aws:iam/rolePolicy:RolePolicy', `${p}-web-policy`).inputs.policy,
    ).map((s) => ({ ...s, Effect: 'Allow' as const })),
  });
  const scheduleRole = () =>
    `arn:aws:iam::123456789012:role/rez/${stage}/${p}-scheduler-schedule-role-1a2b3c4`;

  it('creates the stage’s user schedule group', () => {
    const group = one(
      get().recorded,
      'aws:scheduler/scheduleGroup:ScheduleGroup',
      `${p}-scheduler-user-group`,
    );
    expect(group.inputs.name).toBe(`${p}-user-schedules`);
  });

  it('gives the console the group and the built-in schedules’ target, role, retry policy and DLQ', () => {
    const web = one(get().recorded, 'aws:lambda/function:Function', `${p}-web-function`);
    const env = plain(web.inputs.environment).variables;
    expect(env).toMatchObject({
      REZ_USER_SCHEDULE_GROUP: `${p}-user-schedules`,
      REZ_SCHEDULER_FUNCTION_ARN: expect.stringContaining(`:function:${p}-scheduler`),
      REZ_SCHEDULE_ROLE_ARN: scheduleRole(),
      REZ_SCHEDULE_DLQ_ARN: expect.stringContaining(`${p}-scheduler-schedule-dlq`),
      REZ_SCHEDULE_MAX_RETRIES: '3',
      REZ_SCHEDULE_MAX_EVENT_AGE_SECONDS: '3600',
      REZ_USER_SCHEDULE_LIMIT: stage === 'prod' ? '25' : '100',
    });
    const [builtIn] = get().recorded.filter((r) => r.type === 'aws:scheduler/schedule:Schedule');
    expect(builtIn.inputs.target).toMatchObject({
      arn: env.REZ_SCHEDULER_FUNCTION_ARN,
      roleArn: env.REZ_SCHEDULE_ROLE_ARN,
      deadLetterConfig: { arn: env.REZ_SCHEDULE_DLQ_ARN },
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
    });
  });

  it('lets the console manage schedules in its group only, and pass only the schedule role, only to the Scheduler', () => {
    const policy = [webPolicy()];
    const inGroup = arn(`schedule/${p}-user-schedules/standup`);
    for (const action of ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule', 'GetSchedule'])
      expect(decide(policy, `scheduler:${action}`, inGroup)).toBe('allow');
    // Not the built-in schedules, not another stage's, not the groups themselves.
    expect(
      decide(policy, 'scheduler:DeleteSchedule', arn(`schedule/${p}-20260101000000000000000001/hello-world`)),
    ).toBe('implicit-deny');
    const other = stage === 'dev' ? 'prod' : 'dev';
    expect(decide(policy, 'scheduler:CreateSchedule', arn(`schedule/rez-${other}-user-schedules/x`))).toBe(
      'implicit-deny',
    );
    expect(decide(policy, 'scheduler:DeleteScheduleGroup', arn(`schedule-group/${p}-user-schedules`))).toBe(
      'implicit-deny',
    );
    expect(decide(policy, 'scheduler:ListSchedules', '*')).toBe('implicit-deny');

    const toScheduler = { 'iam:PassedToService': 'scheduler.amazonaws.com' };
    expect(decide(policy, 'iam:PassRole', scheduleRole(), toScheduler)).toBe('allow');
    expect(
      decide(policy, 'iam:PassRole', scheduleRole(), { 'iam:PassedToService': 'lambda.amazonaws.com' }),
    ).toBe('implicit-deny');
    const webRole = `arn:aws:iam::123456789012:role/rez/${stage}/${p}-web-role-1a2b3c4`;
    expect(decide(policy, 'iam:PassRole', webRole, toScheduler)).toBe('implicit-deny');
  });

  it('lets the boundary allow what the console needs for them', () => {
    const boundary = [boundaryPolicy(ACCOUNT_SCOPE, stage)];
    expect(decide(boundary, 'scheduler:CreateSchedule', arn(`schedule/${p}-user-schedules/standup`))).toBe(
      'allow',
    );
    expect(
      decide(boundary, 'iam:PassRole', scheduleRole(), { 'iam:PassedToService': 'scheduler.amazonaws.com' }),
    ).toBe('allow');
    expect(
      decide(
        boundary,
        'dynamodb:DeleteItem',
        `arn:aws:dynamodb:eu-central-1:123456789012:table/${p}-messages-1a2b3c4`,
      ),
    ).toBe('allow');
  });
});
