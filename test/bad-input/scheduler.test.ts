import { builtInRegistry, manualClock, RezError, ulidGenerator } from '@rez/core';
import { InMemoryMessageStore, RecordingPublisher } from '@rez/core/testing';
import { createSchedulerHandler } from '@rez/scheduler';
import { SCHEDULER_CASES } from './corpus';

describe('Bad input: scheduler invocations', () => {
  it.each(SCHEDULER_CASES.map((c) => [c.name, c] as const))(
    '%s: refused with a permanent error, nothing stored',
    async (_name, c) => {
      // Prepare
      const store = new InMemoryMessageStore();
      const publisher = new RecordingPublisher();
      const run = createSchedulerHandler({
        registry: builtInRegistry(),
        store,
        bus: publisher,
        clock: manualClock('2026-03-01T12:00:00.000Z'),
        ids: ulidGenerator(),
        stage: 'dev',
      });

      // Act
      const error = await run(c.input).then(
        (result) => new Error(`accepted: ${JSON.stringify(result)}`),
        (thrown: unknown) => thrown,
      );

      // Assess: a RezError (not a TypeError from deep inside) that says what is wrong.
      expect(error).toBeInstanceOf(RezError);
      expect((error as RezError).permanent).toBe(true);
      expect((error as RezError).message).toMatch(/invalid|unknown|limit|must|required/);
      expect(store.records.size).toBe(0);
      expect(publisher.published).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});
