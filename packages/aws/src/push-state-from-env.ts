/**
 * The push state (the shared ntfy budget, used action links, acknowledged
 * alarms) in the messages table, opened on first use (see
 * openedOnFirstCall): imported as `@rez/aws/push-state-from-env`.
 */
import { type Env, type PushStateStore, readStage, requireEnv } from '@rez/core';
import { openedOnFirstCall } from './on-first-call';

const PUSH_STATE_METHODS: Record<keyof PushStateStore, true> = {
  readBudget: true,
  writeBudget: true,
  useActionToken: true,
  releaseActionToken: true,
  alarmAcknowledgement: true,
  acknowledgeAlarm: true,
  clearAlarmAcknowledgement: true,
  alarmAcknowledgements: true,
};

/**
 * The push state store of REZ_STAGE in REZ_MESSAGES_TABLE; the DynamoDB
 * client is built on the first call.
 *
 * @example
 * const state = pushStateFromEnv(process.env);
 */
export function pushStateFromEnv(env: Env): PushStateStore {
  const stage = readStage(env);
  const tableName = requireEnv(env, 'REZ_MESSAGES_TABLE');
  return openedOnFirstCall<PushStateStore>(
    async () => (await import('./on-demand/push-state')).openPushState({ tableName, stage }),
    PUSH_STATE_METHODS,
  );
}
