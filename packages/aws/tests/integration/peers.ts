import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  type SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createDynamoDbClient, createSnsClient, createSqsClient, messagesTableInput } from '../../src';

type PeerVariable = 'REZ_TEST_SQS_ENDPOINT' | 'REZ_TEST_SNS_ENDPOINT' | 'REZ_TEST_DYNAMODB_ENDPOINT';

/** An endpoint test/setup published; names the variable when the peers were not started. */
export function peerEndpoint(variable: PeerVariable): string {
  const value = process.env[variable];
  if (!value) {
    throw new Error(
      `${variable} is not set: run these tests through jest so test/global-setup.mjs starts fauxqs and dynalite`,
    );
  }
  return value;
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export const dynamoClient = () =>
  createDynamoDbClient({ endpoint: peerEndpoint('REZ_TEST_DYNAMODB_ENDPOINT') });

/**
 * A fresh messages table on dynalite; drop() deletes it. Even with
 * createTableMs 0 the table turns ACTIVE on a later tick, and until then
 * dynalite answers ResourceNotFound, so we wait for ACTIVE.
 */
export async function createMessagesTable(client: DynamoDBClient) {
  const tableName = uniqueName('rez-messages');
  await client.send(new CreateTableCommand(messagesTableInput(tableName)));
  for (let i = 0; ; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (i === 200) throw new Error(`table ${tableName} is still ${Table?.TableStatus} after 200 polls`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    tableName,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
}

export interface TestBus {
  sns: SNSClient;
  sqs: SQSClient;
  topicArn: string;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  close(): Promise<void>;
}

/**
 * A fresh topic → queue (→ DLQ after `maxReceiveCount` receives) on fauxqs,
 * wired as the Pulumi messaging component wires them.
 */
export async function createTestBus(options: { rawMessageDelivery: boolean; maxReceiveCount?: number }) {
  const sns = createSnsClient({ endpoint: peerEndpoint('REZ_TEST_SNS_ENDPOINT') });
  const sqs = createSqsClient({ endpoint: peerEndpoint('REZ_TEST_SQS_ENDPOINT') });
  const name = uniqueName('rez');
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-topic` }));
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = await queueArn(sqs, dlq.QueueUrl as string);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}-queue`,
      Attributes: {
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: options.maxReceiveCount ?? 2,
        }),
      },
    }),
  );
  const arn = await queueArn(sqs, queue.QueueUrl as string);
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: arn,
      Attributes: { RawMessageDelivery: String(options.rawMessageDelivery) },
    }),
  );
  const bus: TestBus = {
    sns,
    sqs,
    topicArn: TopicArn as string,
    queueUrl: queue.QueueUrl as string,
    queueArn: arn,
    deadLetterQueueUrl: dlq.QueueUrl as string,
    close: async () => {
      await sns.send(new DeleteTopicCommand({ TopicArn }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queue.QueueUrl }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: dlq.QueueUrl }));
      sns.destroy();
      sqs.destroy();
    },
  };
  return bus;
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn as string;
}
