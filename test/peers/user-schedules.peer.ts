/**
 * The EventBridge Scheduler adapter against moto's Scheduler (CreateScheduleGroup,
 * CreateSchedule, GetSchedule, UpdateSchedule, ListSchedules, DeleteSchedule):
 * the real SDK client, the real wire protocol, through the console's own
 * service, so a request the service would refuse or read differently fails here.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
} from '@aws-sdk/client-scheduler';
import { createSchedulerClient, EventBridgeScheduler } from '@rez/aws';
import { builtInRegistry, manualClock, SCHEDULES, UserSchedules, ulidGenerator } from '@rez/core';
import { InMemoryMessageStore, InMemoryUserScheduleStore, RecordingPublisher } from '@rez/core/testing';

function motoEndpoint(): string {
  const endpoint = process.env.REZ_TEST_MOTO_ENDPOINT;
  if (!endpoint)
    throw new Error('REZ_TEST_MOTO_ENDPOINT is not set: run these tests with npm run test:peers');
  return endpoint;
}

describe('Class: EventBridgeScheduler (EventBridge Scheduler on moto)', () => {
  const client = createSchedulerClient({ endpoint: motoEndpoint(), region: 'us-east-1' });
  const groupName = `rez-dev-user-schedules-${randomUUID().slice(0, 8)}`;
  const target = {
    groupName,
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rez-dev-scheduler',
    roleArn: 'arn:aws:iam::123456789012:role/rez/dev/rez-dev-scheduler-schedule-role-1a2b3c4',
    deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:rez-dev-scheduler-schedule-dlq-1a2b3c4',
  };
  const schedules = new InMemoryUserScheduleStore();
  const clock = manualClock(new Date(Date.now() + 60_000).toISOString());
  const service = new UserSchedules({
    schedules,
    scheduler: new EventBridgeScheduler(client, target),
    store: new InMemoryMessageStore(),
    bus: new RecordingPublisher(),
    registry: builtInRegistry(),
    clock,
    ids: ulidGenerator(),
    stage: 'dev',
    builtIn: SCHEDULES,
  });
  const get = (Name: string) => client.send(new GetScheduleCommand({ Name, GroupName: groupName }));

  beforeAll(async () => {
    await client.send(new CreateScheduleGroupCommand({ Name: groupName }));
  });
  afterAll(() => client.destroy());

  it('creates, reads back, updates, pauses and deletes a schedule in the group', async () => {
    const created = await service.create(
      {
        name: 'standup',
        description: 'Stand-up',
        expression: 'cron(0 8 ? * MON-FRI *)',
        timezone: 'Europe/Berlin',
        type: 'notify',
        payload: { message: 'Stand-up' },
        enabled: true,
      },
      'web:ana',
    );
    const stored = await get('standup');
    expect(stored).toMatchObject({
      Name: 'standup',
      GroupName: groupName,
      ScheduleExpression: 'cron(0 8 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: target.functionArn,
        RoleArn: target.roleArn,
        DeadLetterConfig: { Arn: target.deadLetterArn },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(JSON.parse(stored.Target?.Input ?? '')).toEqual({
      schedule: 'standup',
      type: 'notify',
      payload: { message: 'Stand-up' },
      revision: created.revision,
    });
    await expect(service.verify('standup')).resolves.toEqual([]);

    const paused = await service.setEnabled('standup', false, 'web:ana');
    expect((await get('standup')).State).toBe('DISABLED');
    expect(JSON.parse((await get('standup')).Target?.Input ?? '').revision).toBe(paused.revision);

    const listed = await client.send(new ListSchedulesCommand({ GroupName: groupName }));
    expect(listed.Schedules?.map((s) => s.Name)).toEqual(['standup']);

    await service.delete('standup', 'web:ana');
    await expect(get('standup')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(schedules.get('standup')).resolves.toBeNull();
  });

  it('creates an at() schedule that deletes itself after its run, and a rate() with a StartDate', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19);
    await service.create(
      {
        name: 'once',
        description: '',
        expression: `at(${at})`,
        timezone: 'UTC',
        type: 'notify',
        payload: { message: 'once' },
        enabled: true,
      },
      'web:ana',
    );
    expect((await get('once')).ActionAfterCompletion).toBe('DELETE');
    await service.create(
      {
        name: 'ping',
        description: '',
        expression: 'rate(15 minutes)',
        timezone: 'UTC',
        type: 'notify',
        payload: { message: 'ping' },
        enabled: true,
      },
      'web:ana',
    );
    const ping = await get('ping');
    expect(ping.ActionAfterCompletion).toBe('NONE');
    expect(ping.StartDate?.getTime()).toBe(clock.now().getTime() + 15 * 60_000);
  });

  it('refuses to create a schedule in a group that does not exist, keeping nothing', async () => {
    const lost = new UserSchedules({
      schedules: new InMemoryUserScheduleStore(),
      scheduler: new EventBridgeScheduler(client, { ...target, groupName: 'rez-dev-no-such-group' }),
      store: new InMemoryMessageStore(),
      bus: new RecordingPublisher(),
      registry: builtInRegistry(),
      clock,
      ids: ulidGenerator(),
      stage: 'dev',
      builtIn: SCHEDULES,
    });
    await expect(
      lost.create(
        {
          name: 'x',
          description: '',
          expression: 'rate(1 hour)',
          timezone: 'UTC',
          type: 'notify',
          payload: { message: 'x' },
          enabled: true,
        },
        'web:ana',
      ),
    ).rejects.toThrow(/nothing changed: EventBridge Scheduler CreateSchedule failed/);
  });
});
