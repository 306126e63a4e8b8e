import type { UserSchedule, UserScheduleStore } from '../src';

/** A stored user schedule for the conformance suite and other tests. */
export function sampleUserSchedule(overrides: Partial<UserSchedule> = {}): UserSchedule {
  return {
    name: 'standup',
    description: 'Stand-up reminder',
    expression: 'cron(0 8 ? * MON-FRI *)',
    timezone: 'Europe/Berlin',
    type: 'notify',
    payload: { message: 'Stand-up', tags: ['team'] },
    enabled: true,
    revision: '01JH8Z5Q0A6D2N7S4X3C9B1V0M',
    anchor: '2026-03-01T10:00:00.000Z',
    created_by: 'web:ana@example.com',
    created_at: '2026-03-01T10:00:00.000Z',
    updated_by: 'web:ana@example.com',
    updated_at: '2026-03-01T10:00:00.000Z',
    last_run: null,
    pending: null,
    ...overrides,
  };
}

/**
 * The UserScheduleStore contract. Every adapter runs it:
 *
 *   describeUserScheduleStoreConformance('SQLite', async () => ({ store, close }));
 *
 * `create` must return an empty store (or one no other test touches).
 */
export function describeUserScheduleStoreConformance(
  name: string,
  create: () => Promise<{ store: UserScheduleStore; close?: () => Promise<void> | void }>,
): void {
  describe(`UserScheduleStore conformance: ${name}`, () => {
    let store: UserScheduleStore;
    let close: (() => Promise<void> | void) | undefined;

    beforeEach(async () => {
      ({ store, close } = await create());
    });
    afterEach(async () => {
      await close?.();
    });

    it('saves a new schedule only when none of its name is stored, and reads it back whole', async () => {
      const schedule = sampleUserSchedule({
        last_run: {
          message_id: null,
          at: '2026-03-01T11:00:00.000Z',
          outcome: 'refused',
          reason: 'x',
          by: 'schedule',
        },
        pending: { action: 'put', since: '2026-03-01T10:00:00.000Z' },
      });
      await expect(store.save(schedule, null)).resolves.toBe(true);
      await expect(store.save({ ...schedule, revision: 'OTHER' }, null)).resolves.toBe(false);
      await expect(store.get('standup')).resolves.toEqual(schedule);
      await expect(store.get('nope')).resolves.toBeNull();
      await expect(store.count()).resolves.toBe(1);
    });

    it('replaces a schedule only over the revision the caller read', async () => {
      await store.save(sampleUserSchedule(), null);
      const changed = sampleUserSchedule({ revision: 'R2', description: 'changed', enabled: false });
      await expect(store.save(changed, 'STALE')).resolves.toBe(false);
      await expect(store.save(changed, '01JH8Z5Q0A6D2N7S4X3C9B1V0M')).resolves.toBe(true);
      await expect(store.get('standup')).resolves.toEqual(changed);
      // The same revision again (clearing a pending mark) is a write over the revision read.
      await expect(store.save({ ...changed, pending: null }, 'R2')).resolves.toBe(true);
    });

    it('lists every schedule by name and counts them', async () => {
      for (const name of ['zeta', 'alpha', 'mid.dle']) await store.save(sampleUserSchedule({ name }), null);
      expect((await store.list()).map((s) => s.name)).toEqual(['alpha', 'mid.dle', 'zeta']);
      await expect(store.count()).resolves.toBe(3);
    });

    it('deletes only over the revision the caller read', async () => {
      await store.save(sampleUserSchedule(), null);
      await expect(store.delete('standup', 'STALE')).resolves.toBe(false);
      await expect(store.delete('standup', '01JH8Z5Q0A6D2N7S4X3C9B1V0M')).resolves.toBe(true);
      await expect(store.get('standup')).resolves.toBeNull();
      await expect(store.delete('standup', '01JH8Z5Q0A6D2N7S4X3C9B1V0M')).resolves.toBe(false);
      await expect(store.count()).resolves.toBe(0);
    });

    it('records the last run on the revision it was fired for, and on no other', async () => {
      await store.save(sampleUserSchedule(), null);
      const run = {
        message_id: '01JH8Z5Q0A6D2N7S4X3C9B1V0N',
        at: '2026-03-02T07:00:00.000Z',
        outcome: 'sent' as const,
        by: 'schedule',
      };
      await expect(store.recordRun('standup', 'STALE', run)).resolves.toBe(false);
      await expect(store.recordRun('nope', '01JH8Z5Q0A6D2N7S4X3C9B1V0M', run)).resolves.toBe(false);
      await expect(store.recordRun('standup', '01JH8Z5Q0A6D2N7S4X3C9B1V0M', run)).resolves.toBe(true);
      const stored = await store.get('standup');
      expect(stored?.last_run).toEqual(run);
      expect(stored?.revision).toBe('01JH8Z5Q0A6D2N7S4X3C9B1V0M');
    });

    it('snoozes and unsnoozes on the revision read, keeping the revision and the rest of the definition', async () => {
      const schedule = sampleUserSchedule();
      await store.save(schedule, null);
      const snooze = {
        until: '2026-03-03T07:00:00.000Z',
        at: '2026-03-02T07:00:00.000Z',
        by: 'push-action:snooze',
      };
      await expect(store.snooze('standup', 'STALE', snooze)).resolves.toBe(false);
      await expect(store.snooze('nope', schedule.revision, snooze)).resolves.toBe(false);
      await expect(store.snooze('standup', schedule.revision, snooze)).resolves.toBe(true);
      await expect(store.get('standup')).resolves.toEqual({ ...schedule, snoozed: snooze });
      await expect(store.snooze('standup', schedule.revision, null)).resolves.toBe(true);
      await expect(store.get('standup')).resolves.toEqual({ ...schedule, snoozed: null });
    });
  });
}
