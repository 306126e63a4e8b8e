/**
 * What push delivery and push actions keep beside the messages (the same
 * table on DynamoDB, the same database locally): the shared ntfy budget,
 * the used action tokens and the acknowledged alarms. One conformance suite
 * (@rez/core/testing describePushStateStoreConformance) runs against each adapter.
 */
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

/** The budget's state, as the store keeps it. */
export interface BudgetState {
  /** Request tokens left at `at` (fractional while refilling). */
  tokens: number;
  /** Epoch ms of the last change. */
  at: number;
  /** The UTC day (yyyy-mm-dd) `sent` counts. */
  day: string;
  /** Messages sent on `day`. */
  sent: number;
  /** The UTC day ntfy answered 42908 (daily quota reached): no push goes until it is over. */
  quotaDay: string | null;
  /**
   * The digest push on its way, if any: its message id, until when it holds
   * the lease (epoch ms; a digest refused by the budget extends it to when it
   * will try again), and whether more pushes were held meanwhile (`again`:
   * another digest follows this one).
   */
  digest: { id: string; until: number; again: boolean } | null;
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

/** The budget's part of the push state: all a PushBudget needs (the scheduler Lambda's sweep holds no more). */
export type PushBudgetStore = Pick<PushStateStore, 'readBudget' | 'writeBudget'>;
