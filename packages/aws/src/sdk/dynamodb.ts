import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { adapterCall } from '../errors';
import { type AwsClientOptions, baseConfig } from './base';

/**
 * @example
 * const dynamodb = createDynamoDbClient({ region: 'eu-central-1' });
 */
export function createDynamoDbClient(options: AwsClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(baseConfig(options));
}

/**
 * A DocumentClient over `client`: plain JS values in and out. Undefined
 * properties are dropped rather than rejected, so optional fields need no
 * special casing.
 *
 * @example
 * const documents = createDocumentClient(createDynamoDbClient());
 */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

/**
 * The DocumentClient an adapter works with: `client` itself when it is one
 * (see createDocumentClient), else a plain client wrapped in one.
 */
export function asDocumentClient(client: DynamoDBDocumentClient | DynamoDBClient): DynamoDBDocumentClient {
  return client instanceof DynamoDBDocumentClient ? client : createDocumentClient(client);
}

/**
 * Every page of one partition (`pk = <pk>`; one Query per 1 MB page),
 * strongly consistent, each handed to `each` as it comes; `extra` adds to
 * the Query (a Select, a filter).
 *
 * @example
 * await queryPartition(client, 'rez-dev-messages', 'schedules#dev', (page) => items.push(...(page.Items ?? [])));
 */
export async function queryPartition(
  client: DynamoDBDocumentClient,
  table: string,
  pk: string,
  each: (page: { Items?: Record<string, unknown>[]; Count?: number }) => void,
  extra: Partial<QueryCommandInput> = {},
): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await adapterCall('DynamoDB', 'Query', () =>
      client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
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
