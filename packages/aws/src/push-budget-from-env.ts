/**
 * The shared ntfy budget alone, opened on first use (see openedOnFirstCall):
 * imported as `@rez/aws/push-budget-from-env`. An entry of its own, apart from
 * `@rez/aws/push-state-from-env`: the scheduler Lambda's held-push sweep
 * reaches the budget and nothing else of the push state (no used links, no
 * acknowledgements, no DeleteItem: infra/tests/iam-code.test.ts).
 */
import { type Env, type PushBudgetStore, readStage, requireEnv } from '@rez/core';
import { openedOnFirstCall } from './on-first-call';

/**
 * The budget items of REZ_STAGE in REZ_MESSAGES_TABLE; the DynamoDB client is
 * built on the first call.
 *
 * @example
 * const budgets = pushBudgetStoreFromEnv(process.env);
 */
export function pushBudgetStoreFromEnv(env: Env): PushBudgetStore {
  const stage = readStage(env);
  const tableName = requireEnv(env, 'REZ_MESSAGES_TABLE');
  return openedOnFirstCall<PushBudgetStore>(
    async () => (await import('./on-demand/push-budgets')).openPushBudgets({ tableName, stage }),
    { readBudget: true, writeBudget: true },
  );
}
