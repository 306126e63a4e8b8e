import { type BudgetState, freshBudget, NTFY_SH_LIMITS, type PushStateStore } from '../src';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const budget = (patch: Partial<BudgetState> = {}): BudgetState => ({
  ...freshBudget(NTFY_SH_LIMITS, T0),
  ...patch,
});

/**
 * The PushStateStore contract. Every adapter runs it:
 *
 *   describePushStateStoreConformance('SQLite', async () => ({ store, close }));
 *
 * `create` must return an empty store (or one no other test touches).
 */
export function describePushStateStoreConformance(
  name: string,
  create: () => Promise<{ store: PushStateStore; close?: () => Promise<void> | void }>,
): void {
  describe(`PushStateStore conformance: ${name}`, () => {
    let store: PushStateStore;
    let close: (() => Promise<void> | void) | undefined;

    beforeEach(async () => {
      ({ store, close } = await create());
    });
    afterEach(async () => {
      await close?.();
    });

    describe('Methods: readBudget / writeBudget', () => {
      it('knows no budget before its first write, then reads back what was written as version 1', async () => {
        await expect(store.readBudget('https://ntfy.sh/t')).resolves.toBeNull();
        const state = budget({
          tokens: 12.5,
          sent: 3,
          digest: { id: '01JQ0000000000000000000000', until: T0, again: false },
        });
        await expect(store.writeBudget('https://ntfy.sh/t', state, null)).resolves.toBe(true);
        await expect(store.readBudget('https://ntfy.sh/t')).resolves.toEqual({ state, version: 1 });
      });

      it('writes only over the version read: a second writer from the same read loses', async () => {
        await store.writeBudget('k', budget(), null);
        await expect(store.writeBudget('k', budget({ sent: 1 }), null)).resolves.toBe(false);
        await expect(store.writeBudget('k', budget({ sent: 1 }), 1)).resolves.toBe(true);
        await expect(store.writeBudget('k', budget({ sent: 2 }), 1)).resolves.toBe(false);
        await expect(store.readBudget('k')).resolves.toEqual({ state: budget({ sent: 1 }), version: 2 });
      });

      it('keeps budgets of different servers and topics apart', async () => {
        await store.writeBudget('https://ntfy.sh/a', budget({ sent: 1 }), null);
        await store.writeBudget('https://ntfy.sh/b', budget({ sent: 2 }), null);
        expect((await store.readBudget('https://ntfy.sh/a'))?.state.sent).toBe(1);
        expect((await store.readBudget('https://ntfy.sh/b'))?.state.sent).toBe(2);
      });
    });

    describe('Methods: useActionToken / releaseActionToken', () => {
      it('uses a token once: a second use is refused until it is given back', async () => {
        // Far off: an adapter may forget tokens past their expiry (a verified link is never expired).
        const expires = new Date('2100-01-01T00:00:00.000Z');
        await expect(store.useActionToken('nonce-aaaaaaaaaaaaaaaa', expires)).resolves.toBe(true);
        await expect(store.useActionToken('nonce-aaaaaaaaaaaaaaaa', expires)).resolves.toBe(false);
        await expect(store.useActionToken('nonce-bbbbbbbbbbbbbbbb', expires)).resolves.toBe(true);
        await store.releaseActionToken('nonce-aaaaaaaaaaaaaaaa');
        await expect(store.useActionToken('nonce-aaaaaaaaaaaaaaaa', expires)).resolves.toBe(true);
      });
    });

    describe('Methods: alarm acknowledgements', () => {
      const ack = {
        alarm: 'rez-dev-dlq-not-empty',
        message_id: '01JQ0000000000000000000001',
        push_id: '01JQ0000000000000000000002',
        at: '2026-03-01T10:00:00.000Z',
        by: 'push-action:acknowledge',
      };

      it('records, reads, replaces, lists and clears an acknowledgement by alarm name', async () => {
        await expect(store.alarmAcknowledgement(ack.alarm)).resolves.toBeNull();
        await store.acknowledgeAlarm(ack);
        await expect(store.alarmAcknowledgement(ack.alarm)).resolves.toEqual(ack);
        const later = { ...ack, at: '2026-03-01T11:00:00.000Z', push_id: '01JQ0000000000000000000003' };
        await store.acknowledgeAlarm(later);
        await store.acknowledgeAlarm({ ...ack, alarm: 'a "quoted" # alarm' });
        await expect(store.alarmAcknowledgements()).resolves.toEqual([
          { ...ack, alarm: 'a "quoted" # alarm' },
          later,
        ]);
        await expect(store.clearAlarmAcknowledgement(ack.alarm)).resolves.toBe(true);
        await expect(store.clearAlarmAcknowledgement(ack.alarm)).resolves.toBe(false);
        await expect(store.alarmAcknowledgement(ack.alarm)).resolves.toBeNull();
      });
    });
  });
}
