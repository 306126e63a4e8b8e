/**
 * The cold-start yardstick for the Lambda bundles (bench/suites/bundles.ts):
 * a plain Powertools + SDK worker that builds its SQS, SNS and DynamoDB
 * (+ DocumentClient) clients and a BatchProcessor at load, as the AWS
 * guides suggest, and nothing else. Per record it reads one item, so its
 * first event sends one DynamoDB request, like the worker's first claim.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';

export const sqs = new SQSClient({});
export const sns = new SNSClient({});
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const processor = new BatchProcessor(EventType.SQS);

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(
    event,
    async (record) => {
      await documents.send(
        new GetCommand({ TableName: process.env.REZ_MESSAGES_TABLE, Key: { id: record.messageId } }),
      );
    },
    processor,
    { context },
  );
