/**
 * Loaded on the first store call (see from-env.ts): this module and the
 * DynamoDB client it pulls in stay out of a Lambda's cold start.
 */
import type { Stage } from '@rez/core';
import { createDocumentClient, createDynamoDbClient } from '../sdk/dynamodb';
import { DynamoMessageStore } from '../store/dynamo-store';

export function openStore(options: {
  tableName: string;
  stage: Stage;
  retentionDays: number;
}): DynamoMessageStore {
  return new DynamoMessageStore({ client: createDocumentClient(createDynamoDbClient()), ...options });
}
