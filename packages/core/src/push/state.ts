/**
 * What push delivery and push actions keep beside the messages (the same
 * table on DynamoDB, the same database locally): the shared ntfy budget,
 * the used action tokens and the acknowledged alarms. One conformance suite
 * (@rez/core/testing describePushStateStoreConformance) runs against each adapter.
 */
import type { BudgetState } from './budget';

/** An alarm someone acknowledged from its push: further pushes for it are held back until it is OK again. */
export interface AlarmAcknowledgement {
  /** The CloudWatch alarm's name. */
  alarm: string;
  /** The `cloudwatch_alarm` message acknowledged. */
  message_id: string;
  /** The push (its notify message) whose button was pressed. */
  push_id: string;
  /** RFC 3339 UTC. */
  at: string;
  /** `push-action:acknowledge`. */
  by: string;
}

/** The budget as stored, with the version its next write is conditional on. */
export interface StoredBudget {
  state: BudgetState;
  version: number;
}

export interface PushStateStore {
  /** The budget of one ntfy server and topic (see budgetKey); null before its first write. One read by key. */
  readBudget(key: string): Promise<StoredBudget | null>;
  /**
   * Writes the budget as version `expected + 1` when the stored version is
   * `expected` (null: when none is stored). False, writing nothing, when it is
   * not: someone else took from the budget since it was read.
   */
  writeBudget(key: string, state: BudgetState, expected: number | null): Promise<boolean>;
  /**
   * Uses up an action token: records its nonce, kept until `expiresAt` (the
   * token's own expiry; DynamoDB's TTL then deletes it). False when it was
   * already used. One conditional write.
   */
  useActionToken(nonce: string, expiresAt: Date): Promise<boolean>;
  /** Gives a used token back (its action turned out to have nothing to do). */
  releaseActionToken(nonce: string): Promise<void>;
  alarmAcknowledgement(alarm: string): Promise<AlarmAcknowledgement | null>;
  /** Records (or replaces) the acknowledgement of `ack.alarm`. */
  acknowledgeAlarm(ack: AlarmAcknowledgement): Promise<void>;
  /** Removes an alarm's acknowledgement; true when there was one. */
  clearAlarmAcknowledgement(alarm: string): Promise<boolean>;
  /** Every acknowledged alarm of the stage, by name (one Query, never a scan). */
  alarmAcknowledgements(): Promise<AlarmAcknowledgement[]>;
}

/** The part of a {@link PushStateStore} the alarm handler uses. */
export type AlarmAcknowledgements = Pick<
  PushStateStore,
  'alarmAcknowledgement' | 'clearAlarmAcknowledgement'
>;
