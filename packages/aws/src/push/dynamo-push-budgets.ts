import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { BudgetState, PushBudgetStore, Stage, StoredBudget } from '@rez/core';
import { adapterCall, conditionalWrite } from '../errors';
import { asDocumentClient } from '../sdk/dynamodb';

export interface DynamoPushStateStoreOptions {
  /** A DocumentClient (see createDocumentClient), or a plain client to wrap in one. */
  client: DynamoDBDocumentClient | DynamoDBClient;
  /** REZ_MESSAGES_TABLE: push state shares the messages table. */
  tableName: string;
  stage: Stage;
}

/**
 * The shared ntfy budget in the messages table: pk =
 * "push-budget#<stage>#<server/topic>", sk = "budget", `state` (a map) and
 * `version`; every write a PutItem conditional on the version read — the
 * counter every worker paces by, no scan. Nothing else, so the scheduler
 * Lambda's sweep holds no DeleteItem of its own (its role grants none);
 * {@link DynamoPushStateStore} extends it with the rest of the push state.
 *
 * @example
 * const budgets = new DynamoPushBudgets({ client, tableName: 'rez-dev-messages', stage: 'dev' });
 */
export class DynamoPushBudgets implements PushBudgetStore {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly table: string;
  protected readonly stage: Stage;

  constructor(options: DynamoPushStateStoreOptions) {
    this.client = asDocumentClient(options.client);
    this.table = options.tableName;
    this.stage = options.stage;
  }

  async readBudget(key: string): Promise<StoredBudget | null> {
    const { Item } = await adapterCall('DynamoDB', 'GetItem', () =>
      this.client.send(
        new GetCommand({ TableName: this.table, Key: this.budgetKey(key), ConsistentRead: true }),
      ),
    );
    return Item ? { state: Item.state as BudgetState, version: Number(Item.version) } : null;
  }

  writeBudget(key: string, state: BudgetState, expected: number | null): Promise<boolean> {
    return conditionalWrite('PutItem', () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...this.budgetKey(key), state, version: (expected ?? 0) + 1 },
          ...(expected === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': expected },
              }),
        }),
      ),
    );
  }

  protected budgetKey(key: string) {
    return { pk: `push-budget#${this.stage}#${key}`, sk: 'budget' };
  }
}
