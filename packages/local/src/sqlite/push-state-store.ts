import {
  AdapterError,
  type AlarmAcknowledgement,
  type BudgetState,
  type PushStateStore,
  type StoredBudget,
} from '@rez/core';
import type { SqliteDatabase } from './database';
import { type GroupCommit, groupCommit } from './group-commit';

/**
 * PushStateStore on SQLite (tables push_budgets, push_action_tokens,
 * alarm_acknowledgements). Each write is one statement whose WHERE or
 * conflict clause is the condition — the version read, a nonce not yet
 * used — so two processes (or the worker threads, through the main one)
 * never both win. Writes join the connection's group commit; used tokens
 * past their expiry are dropped as new ones are written.
 */
export class SqlitePushStateStore implements PushStateStore {
  readonly #group: GroupCommit;
  readonly #s;

  constructor(
    db: SqliteDatabase,
    readonly now: () => number = Date.now,
  ) {
    this.#group = groupCommit(db);
    this.#s = {
      readBudget: db.prepare('SELECT state, version FROM push_budgets WHERE key = ?'),
      insertBudget: db.prepare(
        'INSERT INTO push_budgets (key, state, version) VALUES (?, ?, 1) ON CONFLICT (key) DO NOTHING',
      ),
      updateBudget: db.prepare(
        'UPDATE push_budgets SET state = ?, version = version + 1 WHERE key = ? AND version = ?',
      ),
      useToken: db.prepare(
        'INSERT INTO push_action_tokens (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING',
      ),
      forgetExpired: db.prepare('DELETE FROM push_action_tokens WHERE expires_at < ?'),
      releaseToken: db.prepare('DELETE FROM push_action_tokens WHERE nonce = ?'),
      ack: db.prepare('SELECT body FROM alarm_acknowledgements WHERE alarm = ?'),
      putAck: db.prepare(
        `INSERT INTO alarm_acknowledgements (alarm, body) VALUES (?, ?)
         ON CONFLICT (alarm) DO UPDATE SET body = excluded.body`,
      ),
      clearAck: db.prepare('DELETE FROM alarm_acknowledgements WHERE alarm = ?'),
      acks: db.prepare('SELECT body FROM alarm_acknowledgements ORDER BY alarm'),
    };
  }

  async readBudget(key: string): Promise<StoredBudget | null> {
    const row = this.#read('readBudget', () => this.#s.readBudget.get(key)) as
      | { state: string; version: number }
      | undefined;
    return row ? { state: JSON.parse(row.state) as BudgetState, version: row.version } : null;
  }

  writeBudget(key: string, state: BudgetState, expected: number | null): Promise<boolean> {
    const json = JSON.stringify(state);
    return this.#write('writeBudget', () =>
      expected === null
        ? this.#s.insertBudget.run(key, json).changes === 1
        : this.#s.updateBudget.run(json, key, expected).changes === 1,
    );
  }

  useActionToken(nonce: string, expiresAt: Date): Promise<boolean> {
    return this.#write('useActionToken', () => {
      this.#s.forgetExpired.run(this.now());
      return this.#s.useToken.run(nonce, expiresAt.getTime()).changes === 1;
    });
  }

  async releaseActionToken(nonce: string): Promise<void> {
    await this.#write('releaseActionToken', () => this.#s.releaseToken.run(nonce));
  }

  async alarmAcknowledgement(alarm: string): Promise<AlarmAcknowledgement | null> {
    const row = this.#read('alarmAcknowledgement', () => this.#s.ack.get(alarm)) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as AlarmAcknowledgement) : null;
  }

  async acknowledgeAlarm(ack: AlarmAcknowledgement): Promise<void> {
    await this.#write('acknowledgeAlarm', () => this.#s.putAck.run(ack.alarm, JSON.stringify(ack)));
  }

  clearAlarmAcknowledgement(alarm: string): Promise<boolean> {
    return this.#write('clearAlarmAcknowledgement', () => this.#s.clearAck.run(alarm).changes === 1);
  }

  async alarmAcknowledgements(): Promise<AlarmAcknowledgement[]> {
    const rows = this.#read('alarmAcknowledgements', () => this.#s.acks.all()) as { body: string }[];
    return rows.map((row) => JSON.parse(row.body) as AlarmAcknowledgement);
  }

  async #write<T>(operation: string, work: () => T): Promise<T> {
    try {
      return await this.#group.run(work);
    } catch (cause) {
      throw new AdapterError('SQLite push state', operation, cause);
    }
  }

  #read<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (cause) {
      throw new AdapterError('SQLite push state', operation, cause);
    }
  }
}
