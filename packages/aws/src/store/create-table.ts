import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { MESSAGES_TABLE } from './table';

/**
 * CreateTable input for the messages table, from {@link MESSAGES_TABLE}
 * (on-demand billing, every index projecting ALL). The Pulumi program builds
 * the same table from the same definition; this is for tests, emulators and
 * scripts. TTL is a separate call (UpdateTimeToLive) on real DynamoDB.
 *
 * @example
 * await dynamodb.send(new CreateTableCommand(messagesTableInput('rez-dev-messages')));
 */
export function messagesTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: MESSAGES_TABLE.attributes.map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    KeySchema: [
      { AttributeName: MESSAGES_TABLE.hashKey, KeyType: 'HASH' },
      { AttributeName: MESSAGES_TABLE.rangeKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: MESSAGES_TABLE.globalSecondaryIndexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.hashKey, KeyType: 'HASH' },
        { AttributeName: index.rangeKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projectionType },
    })),
  };
}
