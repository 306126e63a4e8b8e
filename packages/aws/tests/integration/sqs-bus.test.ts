import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { AdapterError } from '@rez/core';
import { receiveAtLeast, sampleMessage } from '@rez/core/testing';
import type { SQSRecord } from 'aws-lambda';
import {
  createDynamoDbClient,
  createSnsClient,
  createSqsClient,
  queueUrlFromArn,
  SnsPublisher,
  SqsQueue,
  SqsRedelivery,
  sqsDeadLetter,
} from '../../src';
import { createMessagesTable, createTestBus, dynamoClient, peerEndpoint, type TestBus } from './peers';

describe('Class: SnsPublisher', () => {
  let bus: TestBus;
  afterEach(() => bus?.close());

  describe('Method: publish', () => {
    it('reaches a queue subscribed without raw delivery as an SNS envelope holding our JSON', async () => {
      // Prepare
      bus = await createTestBus({ rawMessageDelivery: false });
      const queue = new SqsQueue({
        client: bus.sqs,
        queueUrl: bus.queueUrl,
        deadLetterQueueUrl: bus.deadLetterQueueUrl,
      });
      const message = sampleMessage();

      // Act
      await new SnsPublisher({ client: bus.sns, topicArn: bus.topicArn }).publish(message);

      // Assess: the worker unwraps this shape; our attributes ride inside the envelope, not on the SQS copy
      const [copy] = await receiveAtLeast(queue, 1);
      const envelope = JSON.parse(copy.body);
      expect(envelope).toMatchObject({
        Type: 'Notification',
        TopicArn: bus.topicArn,
        MessageId: expect.any(String),
        MessageAttributes: {
          type: { Type: 'String', Value: 'notify' },
          stage: { Type: 'String', Value: 'dev' },
        },
      });
      expect(JSON.parse(envelope.Message)).toEqual(message);
      expect(copy.attributes).toEqual({});
    });

    it('translates a vendor error into AdapterError naming the topic', async () => {
      // Prepare
      bus = await createTestBus({ rawMessageDelivery: true });
      const missing = `${bus.topicArn}-gone`;
      const publisher = new SnsPublisher({ client: bus.sns, topicArn: missing });

      // Act
      const error = await publisher.publish(sampleMessage()).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(AdapterError);
      expect((error as AdapterError).message).toContain(missing);
      expect((error as AdapterError).cause).toBeInstanceOf(Error);
    });
  });
});

describe('Class: SqsQueue', () => {
  let bus: TestBus;
  let queue: SqsQueue;
  beforeEach(async () => {
    bus = await createTestBus({ rawMessageDelivery: true, maxReceiveCount: 1 });
    queue = new SqsQueue({
      client: bus.sqs,
      queueUrl: bus.queueUrl,
      deadLetterQueueUrl: bus.deadLetterQueueUrl,
    });
  });
  afterEach(() => bus.close());

  /** Publishes, then receives once and gives the copy back: the next receive moves it to the DLQ. */
  async function kill(count: number) {
    const publisher = new SnsPublisher({ client: bus.sns, topicArn: bus.topicArn });
    const messages = Array.from({ length: count }, () => sampleMessage());
    for (const m of messages) await publisher.publish(m);
    for (const copy of await receiveAtLeast(queue, count))
      await queue.changeVisibility(copy.receiptHandle, 0);
    expect(await queue.receive({ maxMessages: 10, waitSeconds: 1 })).toEqual([]);
    return messages;
  }

  describe('Method: listDeadLetters', () => {
    it('peeks without removing: the copies stay, each listing counts one more receive', async () => {
      // Prepare
      await kill(1);

      // Act
      const first = await queue.listDeadLetters({ limit: 10 });
      const second = await queue.listDeadLetters({ limit: 10 });

      // Assess
      expect(second.map((d) => d.transportId)).toEqual(first.map((d) => d.transportId));
      expect(second[0].receiveCount).toBe(first[0].receiveCount + 1);
      expect((await queue.depth()).dead).toBe(1);
    });

    it('lists at most `limit`, oldest first', async () => {
      // Prepare
      await kill(3);

      // Act
      const dead = await queue.listDeadLetters({ limit: 2 });

      // Assess
      expect(dead).toHaveLength(2);
      expect(dead[0].sentAt.getTime()).toBeLessThanOrEqual(dead[1].sentAt.getTime());
      expect((await queue.depth()).dead).toBe(3);
    });
  });

  describe('Method: redrive', () => {
    it('sends the body and message attributes back to the source queue', async () => {
      // Prepare
      const [message] = await kill(1);

      // Act
      const result = await queue.redrive();

      // Assess
      expect(result).toEqual({ moved: 1, more: false });
      const [back] = await receiveAtLeast(queue, 1);
      expect(JSON.parse(back.body)).toEqual(message);
      expect(back.attributes).toEqual({ type: 'notify', stage: 'dev' });
    });

    /** Sends `count` dead letters straight to the DLQ; returns their ids (the DLQ's transport ids). */
    async function fillDeadLetterQueue(count: number): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const { MessageId } = await bus.sqs.send(
          new SendMessageCommand({ QueueUrl: bus.deadLetterQueueUrl, MessageBody: `dead-${i}` }),
        );
        ids.push(MessageId ?? '');
      }
      return ids;
    }

    /** The same queue and DLQ, with another redrive budget. */
    const budgeted = (redriveBudget: { maxMessages: number; budgetMs: number }) =>
      new SqsQueue({
        client: bus.sqs,
        queueUrl: bus.queueUrl,
        deadLetterQueueUrl: bus.deadLetterQueueUrl,
        redriveBudget,
      });

    it('pages through the DLQ within its budget, says when more remain, and moves each letter once', async () => {
      // Prepare: 25 dead letters, a budget of 10 per call
      await fillDeadLetterQueue(25);
      const bounded = budgeted({ maxMessages: 10, budgetMs: 60_000 });

      // Act
      const calls = [await bounded.redrive(), await bounded.redrive(), await bounded.redrive()];

      // Assess
      expect(calls).toEqual([
        { moved: 10, more: true },
        { moved: 10, more: true },
        { moved: 5, more: false },
      ]);
      const back = await receiveAtLeast(queue, 25);
      expect(new Set(back.map((m) => m.body)).size).toBe(25);
      expect(await queue.listDeadLetters({ limit: 10 })).toEqual([]);
    });

    it('stops on its time budget after one batch, never before making progress', async () => {
      await fillDeadLetterQueue(12);
      const hurried = budgeted({ maxMessages: 1000, budgetMs: 0 });
      const first = await hurried.redrive();
      expect(first.more).toBe(true);
      expect(first.moved).toBeGreaterThan(0);
      expect(first.moved).toBeLessThanOrEqual(10);
      let total = first.moved;
      for (let call = 0; call < 12 && total < 12; call++) total += (await hurried.redrive()).moved;
      expect(total).toBe(12);
    });

    it('finds a chosen dead letter behind others, and leaves the others in the DLQ', async () => {
      const ids = await fillDeadLetterQueue(15);
      const result = await queue.redrive({ transportIds: [ids[14]] });
      expect(result).toEqual({ moved: 1, more: false });
      const [back] = await receiveAtLeast(queue, 1);
      expect(back.body).toBe('dead-14');
      const left = await queue.listDeadLetters({ limit: 20 });
      expect(left.map((d) => d.body).sort()).toEqual(
        Array.from({ length: 14 }, (_, i) => `dead-${i}`).sort(),
      );
    });

    it('moves nothing for an empty selection or unknown ids', async () => {
      // Prepare
      await kill(1);

      // Act / Assess
      await expect(queue.redrive({ transportIds: [] })).resolves.toEqual({ moved: 0, more: false });
      await expect(queue.redrive({ transportIds: ['no-such-id'] })).resolves.toEqual({
        moved: 0,
        more: false,
      });
      expect((await queue.depth()).dead).toBe(1);
    });
  });
});

describe('Function: sqsDeadLetter', () => {
  let bus: TestBus;
  afterEach(() => bus.close());

  it('puts a received record in the DLQ at once, body and attributes as received; redrive brings it back', async () => {
    // Prepare: a queue that would allow five receives; one copy received, as the worker gets it.
    bus = await createTestBus({ rawMessageDelivery: true, maxReceiveCount: 5 });
    const queue = new SqsQueue({
      client: bus.sqs,
      queueUrl: bus.queueUrl,
      deadLetterQueueUrl: bus.deadLetterQueueUrl,
    });
    const message = sampleMessage();
    await new SnsPublisher({ client: bus.sns, topicArn: bus.topicArn }).publish(message);
    const [copy] = await receiveAtLeast(queue, 1);
    const record = {
      messageId: copy.transportId,
      receiptHandle: copy.receiptHandle,
      body: copy.body,
      attributes: {},
      messageAttributes: Object.fromEntries(
        Object.entries(copy.attributes).map(([name, value]) => [
          name,
          { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
        ]),
      ),
    } as unknown as SQSRecord;

    // Act: the worker moves it, reports it processed, and the event source mapping deletes the original.
    await sqsDeadLetter({ client: bus.sqs, deadLetterQueueUrl: bus.deadLetterQueueUrl })(record);
    await queue.delete(copy.receiptHandle);

    // Assess: after one receive, not five.
    expect(await queue.depth()).toMatchObject({ visible: 0, dead: 1 });
    const [letter] = await queue.listDeadLetters({ limit: 10 });
    expect(JSON.parse(letter.body)).toEqual(message);
    await expect(queue.redrive()).resolves.toEqual({ moved: 1, more: false });
    const [back] = await receiveAtLeast(queue, 1);
    expect(JSON.parse(back.body)).toEqual(message);
    expect(back.attributes).toEqual({ type: 'notify', stage: 'dev' });
  });

  it('throws an AdapterError naming the operation when the DLQ cannot take it', async () => {
    bus = await createTestBus({ rawMessageDelivery: true });
    const record = { messageId: 'm', body: '{}', messageAttributes: {} } as unknown as SQSRecord;
    const error = await sqsDeadLetter({
      client: bus.sqs,
      deadLetterQueueUrl: `${bus.deadLetterQueueUrl}-gone`,
    })(record).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).message).toMatch(/^SQS dead-letter send failed: /);
  });
});

describe('Class: SqsRedelivery', () => {
  describe('Method: delay', () => {
    it('changes the visibility of a received copy on the queue its record names by ARN', async () => {
      // Prepare: a copy received and hidden for a minute
      const bus = await createTestBus({ rawMessageDelivery: true });
      try {
        const queue = new SqsQueue({
          client: bus.sqs,
          queueUrl: bus.queueUrl,
          deadLetterQueueUrl: bus.deadLetterQueueUrl,
        });
        await new SnsPublisher({ client: bus.sns, topicArn: bus.topicArn }).publish(sampleMessage());
        const [copy] = await queue.receive({ maxMessages: 1, visibilityTimeoutSeconds: 60, waitSeconds: 5 });
        const redelivery = new SqsRedelivery({
          client: bus.sqs,
          endpoint: peerEndpoint('REZ_TEST_SQS_ENDPOINT'),
        });

        // Act: what the worker does with a rate-limited record, here with no delay at all
        await redelivery.delay({ eventSourceARN: bus.queueArn, receiptHandle: copy.receiptHandle }, 0);

        // Assess: visible again at once, one receive later
        const [again] = await queue.receive({ maxMessages: 1, waitSeconds: 2 });
        expect(again).toMatchObject({ transportId: copy.transportId, receiveCount: 2 });
      } finally {
        await bus.close();
      }
    });

    it('translates a vendor error into AdapterError naming SQS', async () => {
      const bus = await createTestBus({ rawMessageDelivery: true });
      try {
        const redelivery = new SqsRedelivery({
          client: bus.sqs,
          endpoint: peerEndpoint('REZ_TEST_SQS_ENDPOINT'),
        });
        const error = await redelivery
          .delay({ eventSourceARN: `${bus.queueArn}-gone`, receiptHandle: 'nope' }, 10)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AdapterError);
        expect((error as AdapterError).message).toMatch(/SQS changeVisibility failed/);
      } finally {
        await bus.close();
      }
    });
  });
});

describe('Function: queueUrlFromArn', () => {
  it('derives the URL the emulator gave the queue from its ARN and the SQS endpoint', async () => {
    // Prepare
    const bus = await createTestBus({ rawMessageDelivery: true });

    try {
      // Act
      const url = queueUrlFromArn(bus.queueArn, {
        env: { AWS_ENDPOINT_URL_SQS: peerEndpoint('REZ_TEST_SQS_ENDPOINT') },
      });

      // Assess
      expect(url).toBe(bus.queueUrl);
    } finally {
      await bus.close();
    }
  });
});

describe('Function: createSqsClient / createSnsClient / createDynamoDbClient', () => {
  const original = process.env;
  afterEach(() => {
    process.env = original;
  });

  it('reach the emulators through AWS_ENDPOINT_URL_<SERVICE> alone', async () => {
    // Prepare: a cloned environment naming the endpoints the SDK's standard way
    const bus = await createTestBus({ rawMessageDelivery: true });
    const explicit = dynamoClient();
    const table = await createMessagesTable(explicit);
    process.env = {
      ...original,
      AWS_ENDPOINT_URL_SQS: peerEndpoint('REZ_TEST_SQS_ENDPOINT'),
      AWS_ENDPOINT_URL_SNS: peerEndpoint('REZ_TEST_SNS_ENDPOINT'),
      AWS_ENDPOINT_URL_DYNAMODB: peerEndpoint('REZ_TEST_DYNAMODB_ENDPOINT'),
    };
    const sqs = createSqsClient();
    const sns = createSnsClient();
    const dynamodb = createDynamoDbClient();
    const message = sampleMessage();

    try {
      // Act
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: bus.queueUrl, AttributeNames: ['QueueArn'] }),
      );
      const tables = await dynamodb.send(new ListTablesCommand({}));
      await new SnsPublisher({ client: sns, topicArn: bus.topicArn }).publish(message);
      const queue = new SqsQueue({
        client: sqs,
        queueUrl: bus.queueUrl,
        deadLetterQueueUrl: bus.deadLetterQueueUrl,
      });
      const [copy] = await receiveAtLeast(queue, 1);

      // Assess
      expect(attributes.Attributes?.QueueArn).toBe(bus.queueArn);
      expect(tables.TableNames).toContain(table.tableName);
      expect(JSON.parse(copy.body)).toEqual(message);
    } finally {
      sqs.destroy();
      sns.destroy();
      dynamodb.destroy();
      await table.drop();
      explicit.destroy();
      await bus.close();
    }
  });
});
