import {
  builtInRegistry,
  manualClock,
  SCHEDULES,
  scheduleInvocation,
  ulidGenerator,
  ValidationError,
} from '@rez/core';
import { InMemoryMessageStore, RecordingPublisher } from '@rez/core/testing';
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
    expect(await deps.store.get(first.id)).toMatchObject({
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
