import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduleRun, Stage, UserSchedule, UserScheduleRuns } from '@rez/core';
import { adapterCall, conditionalWrite } from '../errors';
import { asDocumentClient } from '../sdk/dynamodb';

export interface DynamoUserScheduleStoreOptions {
  /** A DocumentClient (see createDocumentClient), or a plain client to wrap in one. */
  client: DynamoDBDocumentClient | DynamoDBClient;
  /** REZ_MESSAGES_TABLE: user schedules share the messages table. */
  tableName: string;
  stage: Stage;
}

/**
 * What the scheduler Lambda does with the user schedules in the messages
 * table (items as {@link DynamoUserScheduleStore} keeps them): read one
 * definition by key, record a run conditional on its revision. Nothing
 * else, so the scheduler's bundle holds no Query or DeleteItem of its own
 * and its role grants none; the console's store extends this.
 *
 * @example
 * const runs = new DynamoUserScheduleRuns({ client, tableName: 'rez-dev-messages', stage: 'dev' });
 */
export class DynamoUserScheduleRuns implements UserScheduleRuns {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly table: string;
  /** The stage's partition: "schedules#<stage>". */
  protected readonly pk: string;

  constructor(options: DynamoUserScheduleStoreOptions) {
    this.client = asDocumentClient(options.client);
    this.table = options.tableName;
    this.pk = `schedules#${options.stage}`;
  }

  async get(name: string): Promise<UserSchedule | null> {
    const { Item } = await adapterCall('DynamoDB', 'GetItem', () =>
      this.client.send(new GetCommand({ TableName: this.table, Key: this.key(name), ConsistentRead: true })),
    );
    return Item ? (Item.schedule as UserSchedule) : null;
  }

  recordRun(name: string, revision: string, run: ScheduleRun): Promise<boolean> {
    return this.setInSchedule(name, revision, 'last_run', run);
  }

  /**
   * Sets one field of the stored schedule while its revision is `revision`
   * (UpdateItem, conditional); false when it is not, or the schedule is gone.
   */
  protected setInSchedule(
    name: string,
    revision: string,
    field: 'last_run' | 'snoozed',
    value: unknown,
  ): Promise<boolean> {
    return conditionalWrite('UpdateItem', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(name),
          UpdateExpression: 'SET #schedule.#field = :value',
          ConditionExpression: 'revision = :revision',
          ExpressionAttributeNames: { '#schedule': 'schedule', '#field': field },
          ExpressionAttributeValues: { ':value': value, ':revision': revision },
        }),
      ),
    );
  }

  protected key(name: string): { pk: string; sk: string } {
    return { pk: this.pk, sk: name };
  }
}
