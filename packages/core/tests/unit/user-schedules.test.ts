import {
  builtInRegistry,
  fireUserSchedule,
  manualClock,
  SCHEDULES,
  ScheduleConflictError,
  ScheduleLimitError,
  ScheduleNotFoundError,
  ScheduleSyncError,
  UserSchedules,
  ulidGenerator,
  ValidationError,
} from '@rez/core';
import {
  InMemoryMessageStore,
  InMemoryUserScheduleStore,
  RecordingPublisher,
  RecordingScheduler,
} from '@rez/core/testing';

const STANDUP = {
  name: 'standup',
  description: 'Stand-up reminder',
  expression: 'cron(0 8 ? * MON-FRI *)',
  timezone: 'Europe/Berlin',
  type: 'notify',
  payload: { message: 'Stand-up' },
  enabled: true,
};

function setup(options: { platform?: boolean; limit?: number } = {}) {
  const deps = {
    schedules: new InMemoryUserScheduleStore(),
    scheduler: options.platform === false ? undefined : new RecordingScheduler(),
    store: new InMemoryMessageStore(),
    bus: new RecordingPublisher(),
    registry: builtInRegistry(),
    clock: manualClock('2026-03-02T06:00:00.000Z'), // a Monday, 07:00 in Berlin
    ids: ulidGenerator(),
    stage: 'dev' as const,
    builtIn: SCHEDULES,
    limit: options.limit,
  };
  return { deps, service: new UserSchedules(deps) };
}

const issuesOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return Object.fromEntries((error as ValidationError).issues.map((i) => [i.path, i.message]));
};

describe('Class: UserSchedules', () => {
  describe('Method: create', () => {
    it('saves the definition, puts it to the platform with its revision, and lists its next runs', async () => {
      const { deps, service } = setup();
      const created = await service.create(STANDUP, 'web:ana');

      expect(created).toMatchObject({ ...STANDUP, created_by: 'web:ana', pending: null, last_run: null });
      expect(deps.scheduler?.schedules.get('standup')).toEqual({
        revision: created.revision,
        enabled: true,
        expression: STANDUP.expression,
        timezone: 'Europe/Berlin',
      });
      const [view] = await service.list();
      expect(view.next.map((d) => d.toISOString())).toEqual([
        '2026-03-02T07:00:00.000Z',
        '2026-03-03T07:00:00.000Z',
        '2026-03-04T07:00:00.000Z',
      ]);
      await expect(service.verify('standup')).resolves.toEqual([]);
    });

    it('refuses what EventBridge would refuse, naming each field, before any call', async () => {
      const { deps, service } = setup();
      const issues = await issuesOf(
        service.create(
          {
            ...STANDUP,
            name: 'stand up!',
            expression: 'cron(0 8 * * MON *)',
            timezone: 'Mars/Olympus',
            payload: { title: 'no message' },
          },
          'web:ana',
        ),
      );
      expect(issues).toEqual({
        name: 'must be 1–64 letters, digits, "-", "_" or "."',
      });
      const more = await issuesOf(
        service.create(
          {
            ...STANDUP,
            expression: 'cron(0 8 * * MON *)',
            timezone: 'Mars/Olympus',
            payload: { title: 'x' },
          },
          'web:ana',
        ),
      );
      expect(more).toEqual({
        timezone: '"Mars/Olympus" is not an IANA time zone such as UTC or Europe/Berlin',
        expression: expect.stringContaining('exactly one of day-of-month and day-of-week'),
        'payload.message': 'is required',
      });
      expect(await issuesOf(service.create({ ...STANDUP, name: 'hello-world' }, 'web:ana'))).toEqual({
        name: '"hello-world" is a built-in schedule\'s name; choose another',
      });
      expect(await issuesOf(service.create({ ...STANDUP, type: 'launch' }, 'web:ana'))).toEqual({
        type: expect.stringContaining('unknown message type "launch"'),
      });
      expect(deps.scheduler?.calls).toEqual([]);
      await expect(deps.schedules.count()).resolves.toBe(0);
    });

    it('refuses an at() in the past in its time zone', async () => {
      const { service } = setup();
      // 07:00 in Berlin (UTC+1) is 06:00 UTC: now, so no longer ahead.
      const issues = await issuesOf(
        service.create({ ...STANDUP, expression: 'at(2026-03-02T07:00:00)' }, 'web:ana'),
      );
      expect(issues.expression).toMatch(/is in the past in Europe\/Berlin/);
      await expect(
        service.create({ ...STANDUP, expression: 'at(2026-03-02T07:01:00)' }, 'web:ana'),
      ).resolves.toMatchObject({ expression: 'at(2026-03-02T07:01:00)' });
    });

    it('refuses a taken name and the schedule past the limit', async () => {
      const { service } = setup({ limit: 1 });
      await service.create(STANDUP, 'web:ana');
      await expect(service.create(STANDUP, 'web:bo')).rejects.toThrow(ScheduleLimitError);
      const { service: roomy } = setup();
      await roomy.create(STANDUP, 'web:ana');
      await expect(roomy.create(STANDUP, 'web:bo')).rejects.toThrow(
        new ScheduleConflictError('standup', 'already exists'),
      );
    });

    it('keeps nothing when EventBridge refuses the schedule', async () => {
      const { deps, service } = setup();
      (deps.scheduler as RecordingScheduler).failNext = new Error('ValidationException: no');
      const error = await service.create(STANDUP, 'web:ana').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScheduleSyncError);
      expect((error as ScheduleSyncError).rolledBack).toBe(true);
      await expect(deps.schedules.count()).resolves.toBe(0);
    });
  });

  describe('Method: update / setEnabled / delete', () => {
    it('changes the revision on every change and refuses an edit made from a stale read', async () => {
      const { deps, service } = setup();
      const created = await service.create(STANDUP, 'web:ana');
      const edited = await service.update(
        'standup',
        { ...STANDUP, description: 'new' },
        'web:bo',
        created.revision,
      );
      expect(edited.revision).not.toBe(created.revision);
      expect(edited).toMatchObject({ description: 'new', updated_by: 'web:bo', created_by: 'web:ana' });
      await expect(
        service.update('standup', { ...STANDUP, description: 'lost' }, 'web:ana', created.revision),
      ).rejects.toThrow(/was changed or deleted by someone else/);
      expect(deps.scheduler?.schedules.get('standup')?.revision).toBe(edited.revision);
    });

    it('puts the previous definition back when EventBridge fails an update', async () => {
      const { deps, service } = setup();
      const created = await service.create(STANDUP, 'web:ana');
      (deps.scheduler as RecordingScheduler).failNext = new Error('ThrottlingException');
      await expect(service.setEnabled('standup', false, 'web:ana')).rejects.toThrow(/nothing changed/);
      await expect(deps.schedules.get('standup')).resolves.toEqual(created);
      await expect(service.verify('standup')).resolves.toEqual([]);
    });

    it('pauses and resumes: no next runs while paused; resuming counts from then', async () => {
      const { deps, service } = setup();
      await service.create({ ...STANDUP, expression: 'rate(1 hour)' }, 'web:ana');
      await service.setEnabled('standup', false, 'web:ana');
      expect(deps.scheduler?.schedules.get('standup')?.enabled).toBe(false);
      expect((await service.get('standup'))?.next).toEqual([]);
      deps.clock.advance(90 * 60_000);
      const resumed = await service.setEnabled('standup', true, 'web:ana');
      expect(resumed.anchor).toBe('2026-03-02T07:30:00.000Z');
      expect((await service.get('standup'))?.next[0]?.toISOString()).toBe('2026-03-02T08:30:00.000Z');
    });

    it('deletes from EventBridge first, then from the store; a failure leaves both as they were', async () => {
      const { deps, service } = setup();
      await service.create(STANDUP, 'web:ana');
      (deps.scheduler as RecordingScheduler).failNext = new Error('InternalServerException');
      await expect(service.delete('standup', 'web:ana')).rejects.toThrow(ScheduleSyncError);
      await expect(service.verify('standup')).resolves.toEqual([]);
      await service.delete('standup', 'web:ana');
      expect(deps.scheduler?.schedules.has('standup')).toBe(false);
      await expect(deps.schedules.get('standup')).resolves.toBeNull();
      await expect(service.delete('standup', 'web:ana')).rejects.toThrow(ScheduleNotFoundError);
    });

    it('shows a change it could neither finish nor undo as pending, and repairs it', async () => {
      const { deps, service } = setup();
      const created = await service.create(STANDUP, 'web:ana');
      const store = deps.schedules;
      // The rollback write fails too (say, the store is throttled at that moment).
      const save = store.save.bind(store);
      let saves = 0;
      store.save = async (schedule, expected) => (++saves === 2 ? false : save(schedule, expected));
      (deps.scheduler as RecordingScheduler).failNext = new Error('ServiceUnavailable');
      await expect(service.update('standup', { ...STANDUP, description: 'x' }, 'web:ana')).rejects.toThrow(
        /marked pending/,
      );
      store.save = save;
      const differences = await service.verify('standup');
      expect(differences).toEqual([expect.stringMatching(/a change is pending since .*ServiceUnavailable/)]);
      const repaired = await service.repair('standup', 'web:ana');
      expect(repaired?.pending).toBeNull();
      expect(deps.scheduler?.schedules.get('standup')?.revision).not.toBe(created.revision);
      await expect(service.verify('standup')).resolves.toEqual([]);
    });
  });

  describe('Function: fireUserSchedule', () => {
    const fire = (deps: ReturnType<typeof setup>['deps'], revision?: string) =>
      fireUserSchedule('standup', { by: 'schedule', revision }, deps);

    it('sends the stored payload as scheduler:<name> and records the run', async () => {
      const { deps, service } = setup();
      const created = await service.create(STANDUP, 'web:ana');
      const result = await fire(deps, created.revision);
      expect(result.outcome).toBe('sent');
      expect(deps.bus.published).toEqual([
        expect.objectContaining({
          type: 'notify',
          payload: { message: 'Stand-up' },
          metadata: expect.objectContaining({ created_by: 'scheduler:standup', stage: 'dev' }),
        }),
      ]);
      const [view] = await service.list();
      expect(view.schedule.last_run).toMatchObject({ outcome: 'sent', by: 'schedule' });
      expect(view.lastMessage).toMatchObject({ status: 'queued', created_by: 'scheduler:standup' });
    });

    it('refuses a run for an old revision, a paused or a broken schedule, and records why', async () => {
      const { deps, service } = setup();
      const first = await service.create(STANDUP, 'web:ana');
      await service.update('standup', { ...STANDUP, description: 'v2' }, 'web:ana');
      await expect(fire(deps, first.revision)).resolves.toMatchObject({
        outcome: 'refused',
        reason: expect.stringContaining('changed after this run was set up'),
      });
      const paused = await service.setEnabled('standup', false, 'web:ana');
      await expect(fire(deps, paused.revision)).resolves.toEqual({
        outcome: 'refused',
        reason: 'the schedule is paused',
      });
      // A schema change makes a stored payload invalid: broken, shown and never fired.
      const stored = await deps.schedules.get('standup');
      await deps.schedules.save(
        { ...(stored as NonNullable<typeof stored>), enabled: true, payload: { message: '' } },
        paused.revision,
      );
      await expect(fire(deps, paused.revision)).resolves.toMatchObject({
        outcome: 'refused',
        reason: expect.stringMatching(/^broken: its payload no longer passes the notify schema/),
      });
      expect((await service.get('standup'))?.broken).toMatch(/payload\.message: must not be empty/);
      expect((await service.get('standup'))?.next).toEqual([]);
      expect(deps.bus.published).toEqual([]);
    });

    it('runs a paused schedule by hand, and throws for one that is not stored', async () => {
      const { deps, service } = setup({ platform: false });
      await service.create({ ...STANDUP, enabled: false }, 'cli:ana');
      await expect(service.runNow('standup', 'cli:ana')).resolves.toMatchObject({ outcome: 'sent' });
      expect((await deps.schedules.get('standup'))?.last_run?.by).toBe('cli:ana');
      await expect(fireUserSchedule('gone', { by: 'schedule' }, deps)).rejects.toThrow(
        'no user schedule named "gone"',
      );
    });
  });
});
