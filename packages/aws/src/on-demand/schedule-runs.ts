/**
 * Loaded on the scheduler Lambda's first user schedule run (see
 * schedule-runs-from-env.ts): this module and the DynamoDB client stay out
 * of its cold start.
 */
import type { Stage } from '@rez/core';
import { DynamoUserScheduleRuns } from '../schedules/dynamo-schedule-runs';
import { createDocumentClient, createDynamoDbClient } from '../sdk/dynamodb';

export function openScheduleRuns(options: { tableName: string; stage: Stage }): DynamoUserScheduleRuns {
  return new DynamoUserScheduleRuns({ client: createDocumentClient(createDynamoDbClient()), ...options });
}
