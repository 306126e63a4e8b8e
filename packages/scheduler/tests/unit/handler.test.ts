import {
  builtInRegistry,
  manualClock,
  SCHEDULES,
  scheduleInvocation,
  ulidGenerator,
  ValidationError,
} from '@rez/core';
import {
  InMemoryMessageStore,
  InMemoryUserScheduleStore,
  RecordingPublisher,
  sampleUserSchedule,
} from '@rez/core/testing';
import { createSchedulerHandler } from '@rez/scheduler';

function setup() {
  const deps = {
    registry: builtInRegistry(),
    store: new InMemoryMessageStore(),
    bus: new RecordingPublisher(),
    clock: manualClock('2026-06-01T06:00:00.000Z'),
    ids: ulidGenerator(),
    stage: 'stage' as const,
  };
  return { deps, run: createSchedulerHandler(deps) };
}

describe('Function: createSchedulerHandler', () => {
  it('builds a fresh message at every run, records it and publishes it', async () => {
    const { deps, run } = setup();
    const input = scheduleInvocation(SCHEDULES[0]);

    const first = await run(input);
    deps.clock.advance(86_400_000);
    const second = await run(input);

    expect(first.id).not.toBe(second.id);
    expect(deps.bus.published.map((m) => [m.id, m.type, m.metadata])).toEqual([
      [
        first.id,
        'hello_world',
        { created_date: '2026-06-01T06:00:00.000Z', created_by: 'scheduler:hello-world', stage: 'stage' },
      ],
      [
        second.id,
        'hello_world',
        { created_date: '2026-06-02T06:00:00.000Z', created_by: 'scheduler:hello-world', stage: 'stage' },
      ],
    ]);
    expect(await deps.store.get(first.id as string)).toMatchObject({
      status: 'queued',
      created_by: 'scheduler:hello-world',
    });
  });

  it('refuses bad input naming the field, storing and publishing nothing', async () => {
    const { deps, run } = setup();

    await expect(run({ schedule: 'nightly backup', type: 'hello_world' })).rejects.toThrow(
      /invalid schedule input: schedule: must be 1–64 letters/,
    );
    await expect(run({ schedule: 'x', type: 'notify', payload: { title: 'no message' } })).rejects.toThrow(
      'invalid notify payload: payload.message: is required',
    );
    await expect(run('hello')).rejects.toThrow(ValidationError);
    expect(deps.bus.published).toEqual([]);
    expect(deps.store.records.size).toBe(0);
  });

  it('marks the record failed when the topic refuses the message, and rethrows for the schedule’s retry', async () => {
    const { deps, run } = setup();
    deps.bus.failWith = new Error('SNS: AuthorizationError');

    await expect(run(scheduleInvocation(SCHEDULES[0]))).rejects.toThrow('SNS: AuthorizationError');
    const [record] = deps.store.records.values();
    expect(record).toMatchObject({ status: 'failed', error: { reason: 'Error: SNS: AuthorizationError' } });
  });
});

describe('Function: createSchedulerHandler (user schedules)', () => {
  const standup = (revision: string) =>
    sampleUserSchedule({ name: 'standup', revision, expression: 'rate(1 hour)', timezone: 'UTC' });

  function withSchedules() {
    const schedules = new InMemoryUserScheduleStore();
    const { deps } = setup();
    return { schedules, deps, run: createSchedulerHandler({ ...deps, schedules }) };
  }

  it('fires the stored definition for the revision EventBridge was given, and records the run', async () => {
    const { schedules, deps, run } = withSchedules();
    await schedules.save(standup('R1'), null);
    const result = await run(scheduleInvocation(standup('R1')));
    expect(result).toEqual({ schedule: 'standup', type: 'notify', id: expect.any(String) });
    expect(deps.bus.published[0]).toMatchObject({
      payload: { message: 'Stand-up', tags: ['team'] },
      metadata: { created_by: 'scheduler:standup' },
    });
    expect((await schedules.get('standup'))?.last_run).toMatchObject({
      message_id: result.id,
      outcome: 'sent',
      by: 'schedule',
    });
  });

  it('refuses a run whose revision the store no longer holds, recording why and sending nothing', async () => {
    const { schedules, deps, run } = withSchedules();
    await schedules.save(standup('R2'), null);
    const result = await run(scheduleInvocation(standup('R1')));
    expect(result).toMatchObject({ id: null, refused: expect.stringContaining('revision R1, stored R2') });
    expect(deps.bus.published).toEqual([]);
    expect((await schedules.get('standup'))?.last_run?.outcome).toBe('refused');
  });

  it('throws for an EventBridge schedule with no definition, and for a revision without user schedules', async () => {
    const { run } = withSchedules();
    await expect(run(scheduleInvocation(standup('R1')))).rejects.toThrow('no user schedule named "standup"');
    const { run: builtInOnly } = setup();
    await expect(builtInOnly(scheduleInvocation(standup('R1')))).rejects.toThrow(
      /revision: names a user schedule/,
    );
  });
});

describe('Function: createSchedulerHandler — the held-push sweep', () => {
  it('sweeps after every run, and a failing sweep is logged without failing the run', async () => {
    const { deps } = setup();
    const sweeps: string[] = [];
    const warnings: string[] = [];
    const run = createSchedulerHandler({
      ...deps,
      logger: { info() {}, warn: (message, extra) => warnings.push(`${message}: ${extra.reason}`) },
      sweep: async () => {
        sweeps.push('swept');
        if (sweeps.length === 2) throw new Error('DynamoDB unavailable');
      },
    });
    const input = scheduleInvocation(SCHEDULES[0]);
    await expect(run(input)).resolves.toMatchObject({ type: 'hello_world' });
    await expect(run(input)).resolves.toMatchObject({ type: 'hello_world' });
    expect(sweeps).toEqual(['swept', 'swept']);
    expect(warnings).toEqual(['held-push sweep failed: DynamoDB unavailable']);
    expect(deps.bus.published).toHaveLength(2);
  });
});
