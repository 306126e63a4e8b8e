import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { awsEvent } from '../../../../test/fixtures';
import { sqsEvent } from '../../src';

const source = { arn: 'arn:aws:sqs:local:000000000000:rez-worker', region: 'local' };

describe('Function: sqsEvent', () => {
  it('builds a record with the fields of the real SQS event sample', () => {
    // Prepare
    const [sample] = awsEvent<SQSEvent>('sqs-event').Records;
    const sentAt = new Date(Number(sample.attributes.SentTimestamp));

    // Act
    const {
      Records: [record],
    } = sqsEvent(
      [
        {
          transportId: 't-1',
          receiptHandle: 't-1:handle',
          body: 'Message Body',
          receiveCount: 3,
          sentAt,
          attributes: { type: 'notify', stage: 'dev' },
        },
      ],
      source,
    );

    // Assess
    expect(Object.keys(record).sort()).toEqual(Object.keys(sample).sort());
    expect(Object.keys(record.attributes).sort()).toEqual(Object.keys(sample.attributes).sort());
    expect(record).toMatchObject({
      messageId: 't-1',
      receiptHandle: 't-1:handle',
      md5OfBody: '77a3cf88eba293be44f5fd5c61835a43', // md5("Message Body")
      eventSource: 'aws:sqs',
      eventSourceARN: source.arn,
      attributes: { ApproximateReceiveCount: '3', SentTimestamp: sample.attributes.SentTimestamp },
      messageAttributes: { type: { stringValue: 'notify', dataType: 'String' } },
    });
  });

  it('computes md5OfMessageAttributes as SQS does (fauxqs answers the same for the same attributes)', async () => {
    // Prepare: the SQS peer test/global-setup.mjs started.
    const endpoint = process.env.REZ_TEST_SQS_ENDPOINT;
    if (!endpoint)
      throw new Error('REZ_TEST_SQS_ENDPOINT is not set: run through jest (test/global-setup.mjs)');
    const sqs = new SQSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `rez-md5-${randomUUID().slice(0, 8)}` }),
    );
    try {
      const attributes = { type: 'notify', stage: 'dev', 'x-ünïcode': 'välue ✓' };
      await sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: '{}',
          MessageAttributes: Object.fromEntries(
            Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
          ),
        }),
      );
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }),
      );

      // Act
      const [record] = sqsEvent(
        [
          {
            transportId: 't',
            receiptHandle: 'h',
            body: '{}',
            receiveCount: 1,
            sentAt: new Date(),
            attributes,
          },
        ],
        source,
      ).Records;

      // Assess
      expect(Messages?.[0]?.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
      expect(record.md5OfMessageAttributes).toBe(Messages?.[0]?.MD5OfMessageAttributes);
      expect(record.md5OfBody).toBe(Messages?.[0]?.MD5OfBody);
    } finally {
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
      sqs.destroy();
    }
  });
});
