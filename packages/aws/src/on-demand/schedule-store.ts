/**
 * Loaded on the first user schedule store call (see schedules-from-env.ts):
 * this module and the DynamoDB client stay out of a Lambda's cold start.
 */
import type { Stage } from '@rez/core';
import { DynamoUserScheduleStore } from '../schedules/dynamo-schedule-store';
import { createDocumentClient, createDynamoDbClient } from '../sdk/dynamodb';

export function openScheduleStore(options: { tableName: string; stage: Stage }): DynamoUserScheduleStore {
  return new DynamoUserScheduleStore({ client: createDocumentClient(createDynamoDbClient()), ...options });
}
