import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  AdapterError,
  type ScheduleRun,
  type Stage,
  type UserSchedule,
  type UserScheduleStore,
} from '@rez/core';
import { adapterCall } from '../errors';
import { createDocumentClient } from '../sdk/dynamodb';

export interface DynamoUserScheduleStoreOptions {
  /** A DocumentClient (see createDocumentClient), or a plain client to wrap in one. */
  client: DynamoDBDocumentClient | DynamoDBClient;
  /** REZ_MESSAGES_TABLE: user schedules share the messages table. */
  tableName: string;
  stage: Stage;
}

/**
 * UserScheduleStore in the messages table: one item per schedule under
 * pk = "schedules#<stage>", sk = "<name>", holding `revision` and the whole
 * definition as a map. One partition per stage, so the console lists them
 * with one Query (never a Scan); the items carry none of the message
 * indexes' key attributes, so no index sees them, and no TTL, so they never
 * expire. Every write is conditional on the revision the caller read.
 *
 * @example
 * const schedules = new DynamoUserScheduleStore({ client, tableName: 'rez-dev-messages', stage: 'dev' });
 */
export class DynamoUserScheduleStore implements UserScheduleStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #pk: string;

  constructor(options: DynamoUserScheduleStoreOptions) {
    this.#client =
      options.client instanceof DynamoDBDocumentClient
        ? options.client
        : createDocumentClient(options.client);
    this.#table = options.tableName;
    this.#pk = `schedules#${options.stage}`;
  }

  async list(): Promise<UserSchedule[]> {
    const found: UserSchedule[] = [];
    await this.#queryAll({}, (page) => {
      for (const item of page.Items ?? []) found.push(item.schedule as UserSchedule);
    });
    return found;
  }

  async get(name: string): Promise<UserSchedule | null> {
    const { Item } = await adapterCall('DynamoDB', 'GetItem', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#table, Key: this.#key(name), ConsistentRead: true }),
      ),
    );
    return Item ? (Item.schedule as UserSchedule) : null;
  }

  async count(): Promise<number> {
    let count = 0;
    await this.#queryAll({ Select: 'COUNT' }, (page) => {
      count += page.Count ?? 0;
    });
    return count;
  }

  save(schedule: UserSchedule, expected: string | null): Promise<boolean> {
    return this.#conditional('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...this.#key(schedule.name), revision: schedule.revision, schedule },
          ...(expected === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'revision = :expected',
                ExpressionAttributeValues: { ':expected': expected },
              }),
        }),
      ),
    );
  }

  delete(name: string, expected: string): Promise<boolean> {
    return this.#conditional('DeleteItem', () =>
      this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: this.#key(name),
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': expected },
        }),
      ),
    );
  }

  recordRun(name: string, revision: string, run: ScheduleRun): Promise<boolean> {
    return this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: this.#key(name),
          UpdateExpression: 'SET #schedule.#last = :run',
          ConditionExpression: 'revision = :revision',
          ExpressionAttributeNames: { '#schedule': 'schedule', '#last': 'last_run' },
          ExpressionAttributeValues: { ':run': run, ':revision': revision },
        }),
      ),
    );
  }

  /** Every page of the stage's partition (one Query per 1 MB page), strongly consistent. */
  async #queryAll(
    extra: Partial<QueryCommandInput>,
    each: (page: { Items?: Record<string, unknown>[]; Count?: number }) => void,
  ): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await adapterCall('DynamoDB', 'Query', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': this.#pk },
            ConsistentRead: true,
            ExclusiveStartKey: start,
            ...extra,
          }),
        ),
      );
      each(page);
      start = page.LastEvaluatedKey;
    } while (start);
  }

  #key(name: string) {
    return { pk: this.#pk, sk: name };
  }

  /** Runs a conditional write: false when its condition failed (someone else's revision, or none). */
  async #conditional(operation: string, run: () => Promise<unknown>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw new AdapterError('DynamoDB', operation, error);
    }
  }
}
