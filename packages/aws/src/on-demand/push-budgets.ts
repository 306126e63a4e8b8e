/**
 * Loaded on the first budget call of the scheduler's held-push sweep (see
 * push-budget-from-env.ts): this module and the DynamoDB client stay out of
 * its cold start.
 */
import type { Stage } from '@rez/core';
import { DynamoPushBudgets } from '../push/dynamo-push-budgets';
import { createDocumentClient, createDynamoDbClient } from '../sdk/dynamodb';

export function openPushBudgets(options: { tableName: string; stage: Stage }): DynamoPushBudgets {
  return new DynamoPushBudgets({ client: createDocumentClient(createDynamoDbClient()), ...options });
}
