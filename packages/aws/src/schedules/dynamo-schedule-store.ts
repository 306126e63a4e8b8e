import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduleSnooze, UserSchedule, UserScheduleStore } from '@rez/core';
import { conditionalWrite } from '../errors';
import { queryPartition } from '../sdk/dynamodb';
import { DynamoUserScheduleRuns } from './dynamo-schedule-runs';

export type { DynamoUserScheduleStoreOptions } from './dynamo-schedule-runs';

/**
 * UserScheduleStore in the messages table: one item per schedule under
 * pk = "schedules#<stage>", sk = "<name>", holding `revision` and the whole
 * definition as a map. One partition per stage, so the console lists them
 * with one Query (never a Scan); the items carry none of the message
 * indexes' key attributes, so no index sees them, and no TTL, so they never
 * expire. Every write is conditional on the revision the caller read. Reads
 * by key and run records are {@link DynamoUserScheduleRuns}' (the part the
 * scheduler Lambda holds).
 *
 * @example
 * const schedules = new DynamoUserScheduleStore({ client, tableName: 'rez-dev-messages', stage: 'dev' });
 */
export class DynamoUserScheduleStore extends DynamoUserScheduleRuns implements UserScheduleStore {
  async list(): Promise<UserSchedule[]> {
    const found: UserSchedule[] = [];
    await queryPartition(this.client, this.table, this.pk, (page) => {
      for (const item of page.Items ?? []) found.push(item.schedule as UserSchedule);
    });
    return found;
  }

  async count(): Promise<number> {
    let count = 0;
    await queryPartition(
      this.client,
      this.table,
      this.pk,
      (page) => {
        count += page.Count ?? 0;
      },
      { Select: 'COUNT' },
    );
    return count;
  }

  save(schedule: UserSchedule, expected: string | null): Promise<boolean> {
    return conditionalWrite('PutItem', () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...this.key(schedule.name), revision: schedule.revision, schedule },
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
    return conditionalWrite('DeleteItem', () =>
      this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key(name),
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': expected },
        }),
      ),
    );
  }

  snooze(name: string, revision: string, snooze: ScheduleSnooze | null): Promise<boolean> {
    return this.setInSchedule(name, revision, 'snoozed', snooze);
  }
}
