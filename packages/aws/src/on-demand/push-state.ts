/**
 * Loaded on the first push state call (see push-state-from-env.ts): this
 * module and the DynamoDB client it pulls in stay out of a Lambda's cold start.
 */
import type { Stage } from '@rez/core';
import { DynamoPushStateStore } from '../push/dynamo-push-state';
import { createDocumentClient, createDynamoDbClient } from '../sdk/dynamodb';

export function openPushState(options: { tableName: string; stage: Stage }): DynamoPushStateStore {
  return new DynamoPushStateStore({ client: createDocumentClient(createDynamoDbClient()), ...options });
}
