import { ThrottlingException } from '@aws-sdk/client-scheduler';
import { AdapterError, scheduleDifferences } from '@rez/core';
import { sampleUserSchedule } from '@rez/core/testing';
import { EventBridgeScheduler } from '../../src';
import { FakeSchedulerClient } from '../support/fake-scheduler-client';

const TARGET = {
  groupName: 'rez-dev-user-schedules',
  functionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:rez-dev-scheduler',
  roleArn: 'arn:aws:iam::123456789012:role/rez/dev/rez-dev-scheduler-schedule-role-1a2b3c4',
  deadLetterArn: 'arn:aws:sqs:eu-central-1:123456789012:rez-dev-scheduler-schedule-dlq-1a2b3c4',
};
const NOW = new Date('2026-03-02T06:00:00.000Z');

function setup() {
  const client = new FakeSchedulerClient([TARGET.groupName], () => NOW);
  return { client, scheduler: new EventBridgeScheduler(client, TARGET) };
}

describe('Class: EventBridgeScheduler', () => {
  it('creates a schedule in the user group invoking the scheduler with the built-in input shape and its revision', async () => {
    const { client, scheduler } = setup();
    const schedule = sampleUserSchedule();
    await scheduler.put(schedule, NOW);

    expect(client.sent).toEqual(['UpdateScheduleCommand', 'CreateScheduleCommand']);
    const stored = client.groups.get(TARGET.groupName)?.get('standup');
    expect(stored).toEqual({
      Name: 'standup',
      GroupName: TARGET.groupName,
      ScheduleExpression: 'cron(0 8 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Description: 'Stand-up reminder',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'NONE',
      Target: {
        Arn: TARGET.functionArn,
        RoleArn: TARGET.roleArn,
        Input: JSON.stringify({
          schedule: 'standup',
          type: 'notify',
          payload: { message: 'Stand-up', tags: ['team'] },
          revision: schedule.revision,
        }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: TARGET.deadLetterArn },
      },
    });
    await expect(scheduler.describe('standup')).resolves.toEqual({
      revision: schedule.revision,
      enabled: true,
      expression: 'cron(0 8 ? * MON-FRI *)',
      timezone: 'Europe/Berlin',
    });
  });

  it('has an at() delete itself after its run, and starts a rate() at its next run from the anchor', async () => {
    const { client, scheduler } = setup();
    await scheduler.put(sampleUserSchedule({ name: 'once', expression: 'at(2026-03-02T09:00:00)' }), NOW);
    await scheduler.put(
      sampleUserSchedule({
        name: 'ping',
        expression: 'rate(15 minutes)',
        anchor: '2026-03-02T05:50:00.000Z',
      }),
      NOW,
    );
    const group = client.groups.get(TARGET.groupName);
    expect(group?.get('once')?.ActionAfterCompletion).toBe('DELETE');
    expect(group?.get('once')?.StartDate).toBeUndefined();
    expect(group?.get('ping')).toMatchObject({
      ActionAfterCompletion: 'NONE',
      StartDate: new Date('2026-03-02T06:05:00.000Z'),
    });
  });

  it('updates in place, pauses with State DISABLED, and removes (a missing one too)', async () => {
    const { client, scheduler } = setup();
    await scheduler.put(sampleUserSchedule(), NOW);
    client.sent.length = 0;
    await scheduler.put(sampleUserSchedule({ revision: 'R2', enabled: false }), NOW);
    expect(client.sent).toEqual(['UpdateScheduleCommand']);
    await expect(scheduler.describe('standup')).resolves.toMatchObject({ revision: 'R2', enabled: false });
    await scheduler.remove('standup');
    await scheduler.remove('standup');
    await expect(scheduler.describe('standup')).resolves.toBeNull();
  });

  it('turns the service’s refusals and failures into AdapterErrors naming the operation', async () => {
    const { scheduler } = setup();
    const wrongGroup = new EventBridgeScheduler(new FakeSchedulerClient(['other']), TARGET);
    await expect(wrongGroup.put(sampleUserSchedule(), NOW)).rejects.toThrow(
      /EventBridge Scheduler CreateSchedule failed: Schedule group rez-dev-user-schedules does not exist/,
    );
    const throttled = new EventBridgeScheduler(
      {
        send: async () =>
          Promise.reject(
            new ThrottlingException({ $metadata: {}, message: 'Rate exceeded', Message: 'Rate exceeded' }),
          ),
      },
      TARGET,
    );
    const error = await throttled.put(sampleUserSchedule(), NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toBe('EventBridge Scheduler UpdateSchedule failed: Rate exceeded');
    await expect(scheduler.describe('nope')).resolves.toBeNull();
  });

  it('lets the console see an at() that ran (and deleted itself) as in sync, and one deleted by hand as not', async () => {
    const { scheduler } = setup();
    const ran = sampleUserSchedule({ expression: 'at(2026-03-02T06:30:00)' });
    const after = new Date('2026-03-02T08:00:00.000Z');
    expect(scheduleDifferences(ran, await scheduler.describe('standup'), after)).toEqual([]);
    expect(scheduleDifferences(sampleUserSchedule(), null, after)).toEqual([
      'EventBridge Scheduler has no schedule by this name',
    ]);
  });
});
