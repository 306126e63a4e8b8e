import type { AlarmAcknowledgement, BudgetState, PushStateStore, StoredBudget } from '../src';

/** The reference PushStateStore: maps. It passes the conformance suite the adapters run. */
export class InMemoryPushStateStore implements PushStateStore {
  readonly budgets = new Map<string, StoredBudget>();
  readonly tokens = new Map<string, Date>();
  readonly acks = new Map<string, AlarmAcknowledgement>();

  async readBudget(key: string): Promise<StoredBudget | null> {
    const found = this.budgets.get(key);
    return found ? structuredClone(found) : null;
  }

  async writeBudget(key: string, state: BudgetState, expected: number | null): Promise<boolean> {
    if ((this.budgets.get(key)?.version ?? null) !== expected) return false;
    this.budgets.set(key, { state: structuredClone(state), version: (expected ?? 0) + 1 });
    return true;
  }

  async useActionToken(nonce: string, expiresAt: Date): Promise<boolean> {
    if (this.tokens.has(nonce)) return false;
    this.tokens.set(nonce, expiresAt);
    return true;
  }

  async releaseActionToken(nonce: string): Promise<void> {
    this.tokens.delete(nonce);
  }

  async alarmAcknowledgement(alarm: string): Promise<AlarmAcknowledgement | null> {
    const found = this.acks.get(alarm);
    return found ? { ...found } : null;
  }

  async acknowledgeAlarm(ack: AlarmAcknowledgement): Promise<void> {
    this.acks.set(ack.alarm, { ...ack });
  }

  async clearAlarmAcknowledgement(alarm: string): Promise<boolean> {
    return this.acks.delete(alarm);
  }

  async alarmAcknowledgements(): Promise<AlarmAcknowledgement[]> {
    return [...this.acks.values()].sort((a, b) => (a.alarm < b.alarm ? -1 : 1)).map((a) => ({ ...a }));
  }
}
