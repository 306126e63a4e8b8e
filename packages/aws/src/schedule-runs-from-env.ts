/**
 * The scheduler Lambda's view of the user schedules, opened on first use
 * (see openedOnFirstCall): imported as `@rez/aws/schedule-runs-from-env`.
 * An entry of its own, apart from the console's `@rez/aws/schedules-from-env`:
 * a bundle ships every chunk it can reach, and the scheduler must reach
 * neither the EventBridge Scheduler client nor the store's list, save and
 * delete (its role grants none of them; infra/tests/iam-code.test.ts).
 */
import { type Env, readStage, requireEnv, type UserScheduleRuns } from '@rez/core';
import { openedOnFirstCall } from './on-first-call';

const RUNS_METHODS: Record<keyof UserScheduleRuns, true> = { get: true, recordRun: true };

/**
 * A user schedule's definition read by key and its run recorded, in the
 * messages table (REZ_STAGE, REZ_MESSAGES_TABLE); the DynamoDB client is
 * built on the first call.
 *
 * @example
 * const schedules = userScheduleRunsFromEnv(process.env);
 */
export function userScheduleRunsFromEnv(env: Env): UserScheduleRuns {
  const stage = readStage(env);
  const tableName = requireEnv(env, 'REZ_MESSAGES_TABLE');
  return openedOnFirstCall<UserScheduleRuns>(
    async () => (await import('./on-demand/schedule-runs')).openScheduleRuns({ tableName, stage }),
    RUNS_METHODS,
  );
}
