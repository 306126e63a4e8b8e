/**
 * The whole AWS path with the built Lambda bundles, on real wire protocols:
 * scheduler bundle → SNS → SQS (fauxqs) → worker bundle → ntfy (local server),
 * with the store on DynamoDB (dynalite). The bundles find the emulators only
 * through the SDK's standard endpoint variables, as they would any endpoint.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createDocumentClient, DynamoMessageStore, SqsQueue } from '@rez/aws';
import { type NtfyTestServer, receiveAtLeast, sampleMessage, startNtfyServer } from '@rez/core/testing';
import { sqsEvent } from '@rez/local';
import type { SQSBatchResponse } from 'aws-lambda';
import {
  createMessagesTable,
  createTestBus,
  dynamoClient,
  peerEndpoint,
  type TestBus,
} from '../../packages/aws/tests/integration/peers';
import { type LambdaHost, startLambdaHost } from '../support/lambda-host';

describe('End to end: scheduler → SNS → SQS → worker → ntfy, on fauxqs and dynalite', () => {
  let bus: TestBus;
  let table: { tableName: string; drop(): Promise<void> };
  let ntfy: NtfyTestServer;
  let store: DynamoMessageStore;
  let queue: SqsQueue;
  let scheduler: LambdaHost;
  let worker: LambdaHost;

  beforeAll(async () => {
    bus = await createTestBus({ rawMessageDelivery: true, maxReceiveCount: 3 });
    const dynamodb = dynamoClient();
    table = await createMessagesTable(dynamodb);
    ntfy = await startNtfyServer();
    store = new DynamoMessageStore({
      client: createDocumentClient(dynamodb),
      tableName: table.tableName,
      stage: 'dev',
    });
    queue = new SqsQueue({
      client: bus.sqs,
      queueUrl: bus.queueUrl,
      deadLetterQueueUrl: bus.deadLetterQueueUrl,
    });

    const env = {
      REZ_STAGE: 'dev',
      REZ_TOPIC_ARN: bus.topicArn,
      REZ_MESSAGES_TABLE: table.tableName,
      REZ_DLQ_URL: bus.deadLetterQueueUrl,
      NTFY_BASE_URL: ntfy.url,
      NTFY_TOPIC: 'rez-e2e',
      AWS_ENDPOINT_URL_SNS: peerEndpoint('REZ_TEST_SNS_ENDPOINT'),
      AWS_ENDPOINT_URL_SQS: peerEndpoint('REZ_TEST_SQS_ENDPOINT'),
      AWS_ENDPOINT_URL_DYNAMODB: peerEndpoint('REZ_TEST_DYNAMODB_ENDPOINT'),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    [scheduler, worker] = await Promise.all([
      startLambdaHost('scheduler', env),
      startLambdaHost('worker', env),
    ]);
  });

  afterAll(async () => {
    scheduler.close();
    worker.close();
    await ntfy.close();
    await table.drop();
    await bus.close();
  });

  /** Receives what the queue holds and runs it through the worker like Lambda's event source mapping. */
  async function deliver(count: number) {
    const copies = await receiveAtLeast(queue, count);
    const response = await worker.invoke<SQSBatchResponse>(
      sqsEvent(copies, { arn: bus.queueArn, region: 'us-east-1' }),
    );
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const copy of copies) if (!failed.has(copy.transportId)) await queue.delete(copy.receiptHandle);
    return { copies, response };
  }

  it('delivers exactly one "hello world" carrying the metadata, and the store shows completed', async () => {
    // Act: EventBridge Scheduler invokes the scheduler with the schedule's input.
    const { id } = await scheduler.invoke<{ id: string }>({
      schedule: 'hello-world',
      type: 'hello_world',
      payload: {},
    });
    const first = await deliver(1); // hello_world → emits a notify
    expect(first.response.batchItemFailures).toEqual([]);
    const second = await deliver(1); // notify → ntfy
    expect(second.response.batchItemFailures).toEqual([]);

    // Assess
    const [push] = await ntfy.waitFor(1);
    const root = await store.get(id);
    expect(root).toMatchObject({
      status: 'completed',
      type: 'hello_world',
      created_by: 'scheduler:hello-world',
      stage: 'dev',
    });
    expect(push).toMatchObject({ topic: 'rez-e2e', title: 'hello world' });
    expect(push.message).toBe(
      `hello world\ncreated_date: ${root?.created_date}\ncreated_by: scheduler:hello-world\nstage: dev`,
    );
    const [child] = await store.children(id);
    expect(child).toMatchObject({
      status: 'completed',
      type: 'notify',
      ntfy_id: push.id,
      causation_id: id,
      hop: 1,
    });
    expect(second.copies[0].attributes).toMatchObject({ type: 'notify', stage: 'dev' });

    // Delivering the same notify again (an SQS redelivery) gives no second push.
    await bus.sqs.send(
      new SendMessageCommand({ QueueUrl: bus.queueUrl, MessageBody: second.copies[0].body }),
    );
    const again = await deliver(1);
    expect(again.response.batchItemFailures).toEqual([]);
    expect(ntfy.received).toHaveLength(1);
    expect((await store.get(child.id))?.attempts).toBe(1);
  });

  it('sends a record that failed for good (not a Rez message) to the DLQ at once, with its reason in the store', async () => {
    await bus.sqs.send(new SendMessageCommand({ QueueUrl: bus.queueUrl, MessageBody: 'Message Body' }));
    const { response } = await deliver(1);
    // The worker moved it itself (REZ_DLQ_URL): processed for the queue, no retry spent.
    expect(response.batchItemFailures).toEqual([]);
    expect(await queue.receive({ maxMessages: 10, waitSeconds: 1 })).toEqual([]);
    const dead = await queue.listDeadLetters({ limit: 10 });
    expect(dead.map((d) => d.body)).toEqual(['Message Body']);
    const failed = await store.list({ status: 'failed', type: 'invalid' });
    expect(failed.items[0]).toMatchObject({
      attempts: 1,
      error: { reason: 'invalid message: body is not JSON ("Message Body")', permanent: true },
    });
  });

  it('sends a record that keeps failing (ntfy answers 500) to the DLQ after maxReceiveCount', async () => {
    ntfy.respond = () => ({ status: 500 });
    try {
      const message = sampleMessage({ stage: 'dev', at: new Date().toISOString() });
      await bus.sqs.send(
        new SendMessageCommand({ QueueUrl: bus.queueUrl, MessageBody: JSON.stringify(message) }),
      );
      for (let attempt = 1; attempt <= 3; attempt++) {
        const { copies, response } = await deliver(1);
        expect(response.batchItemFailures).toEqual([{ itemIdentifier: copies[0].transportId }]);
        await queue.changeVisibility(copies[0].receiptHandle, 0);
      }
      expect(await queue.receive({ maxMessages: 10, waitSeconds: 1 })).toEqual([]);
      const dead = await queue.listDeadLetters({ limit: 10 });
      expect(dead.filter((d) => d.body.includes(message.id))).toHaveLength(1);
      expect(await store.get(message.id)).toMatchObject({ status: 'failed', attempts: 3 });
    } finally {
      ntfy.respond = () => undefined;
    }
  });
});
