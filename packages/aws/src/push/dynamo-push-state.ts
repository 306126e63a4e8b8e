import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AlarmAcknowledgement, PushStateStore } from '@rez/core';
import { adapterCall, conditionalWrite } from '../errors';
import { queryPartition } from '../sdk/dynamodb';
import { DynamoPushBudgets } from './dynamo-push-budgets';

export type { DynamoPushStateStoreOptions } from './dynamo-push-budgets';

/**
 * PushStateStore in the messages table. Items:
 * - the ntfy budget (see {@link DynamoPushBudgets});
 * - a used action link: pk = "action-token#<nonce>", sk = "used", written
 *   once (attribute_not_exists), deleted by DynamoDB's TTL (`expires_at`,
 *   the link's own expiry) — a verified link is never expired, so a late
 *   TTL deletion lets nothing through twice;
 * - an acknowledged alarm: pk = "alarm-acks#<stage>", sk = "<alarm name>",
 *   `ack` (a map): one partition per stage, listed with one Query.
 * None carries the message indexes' key attributes, so no index sees them.
 *
 * @example
 * const state = new DynamoPushStateStore({ client, tableName: 'rez-dev-messages', stage: 'dev' });
 */
export class DynamoPushStateStore extends DynamoPushBudgets implements PushStateStore {
  useActionToken(nonce: string, expiresAt: Date): Promise<boolean> {
    return conditionalWrite('PutItem', () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...this.#tokenKey(nonce), expires_at: Math.ceil(expiresAt.getTime() / 1000) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async releaseActionToken(nonce: string): Promise<void> {
    await adapterCall('DynamoDB', 'DeleteItem', () =>
      this.client.send(new DeleteCommand({ TableName: this.table, Key: this.#tokenKey(nonce) })),
    );
  }

  async alarmAcknowledgement(alarm: string): Promise<AlarmAcknowledgement | null> {
    const { Item } = await adapterCall('DynamoDB', 'GetItem', () =>
      this.client.send(
        new GetCommand({ TableName: this.table, Key: this.#ackKey(alarm), ConsistentRead: true }),
      ),
    );
    return Item ? (Item.ack as AlarmAcknowledgement) : null;
  }

  async acknowledgeAlarm(ack: AlarmAcknowledgement): Promise<void> {
    await adapterCall('DynamoDB', 'PutItem', () =>
      this.client.send(new PutCommand({ TableName: this.table, Item: { ...this.#ackKey(ack.alarm), ack } })),
    );
  }

  async clearAlarmAcknowledgement(alarm: string): Promise<boolean> {
    const { Attributes } = await adapterCall('DynamoDB', 'DeleteItem', () =>
      this.client.send(
        new DeleteCommand({ TableName: this.table, Key: this.#ackKey(alarm), ReturnValues: 'ALL_OLD' }),
      ),
    );
    return Attributes !== undefined;
  }

  async alarmAcknowledgements(): Promise<AlarmAcknowledgement[]> {
    const found: AlarmAcknowledgement[] = [];
    await queryPartition(this.client, this.table, this.#ackKey('').pk, (page) => {
      for (const item of page.Items ?? []) found.push(item.ack as AlarmAcknowledgement);
    });
    return found;
  }

  #tokenKey(nonce: string) {
    return { pk: `action-token#${nonce}`, sk: 'used' };
  }

  #ackKey(alarm: string) {
    return { pk: `alarm-acks#${this.stage}`, sk: alarm };
  }
}
