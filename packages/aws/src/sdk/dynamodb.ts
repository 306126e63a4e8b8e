import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
