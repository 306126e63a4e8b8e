import { describeQueueConformance } from '@rez/core/testing';
import { SnsPublisher, SqsQueue } from '../../src';
import { createTestBus } from './peers';

// The shared topic → queue → DLQ contract, on fauxqs speaking the SNS and SQS wire protocols.
describeQueueConformance('SNS + SQS on fauxqs', async () => {
  const bus = await createTestBus({ rawMessageDelivery: true, maxReceiveCount: 2 });
  return {
    publisher: new SnsPublisher({ client: bus.sns, topicArn: bus.topicArn }),
    queue: new SqsQueue({
      client: bus.sqs,
      queueUrl: bus.queueUrl,
      deadLetterQueueUrl: bus.deadLetterQueueUrl,
    }),
    maxReceiveCount: 2,
    close: () => bus.close(),
  };
});
