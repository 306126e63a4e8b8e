import type { PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { AdapterError } from '@rez/core';
import { sampleMessage } from '@rez/core/testing';
import { SnsPublisher } from '../../src';

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:rez-dev-messages';

/** A hand-written SNS client: records PublishCommand inputs, or fails with `error`. */
function fakeSns(error?: Error) {
  const inputs: PublishCommandInput[] = [];
  const client = {
    async send(command: { input: PublishCommandInput }) {
      inputs.push(command.input);
      if (error) throw error;
      return { MessageId: 'm-1' };
    },
  };
  return { client: client as unknown as SNSClient, inputs };
}

describe('Class: SnsPublisher', () => {
  describe('Method: publish', () => {
    it('publishes the JSON of the message with type and stage String attributes', async () => {
      // Prepare
      const { client, inputs } = fakeSns();
      const message = sampleMessage({ type: 'hello_world', payload: {}, stage: 'prod' });

      // Act
      await new SnsPublisher({ client, topicArn: TOPIC }).publish(message);

      // Assess
      expect(inputs).toEqual([
        {
          TopicArn: TOPIC,
          Message: JSON.stringify(message),
          MessageAttributes: {
            type: { DataType: 'String', StringValue: 'hello_world' },
            stage: { DataType: 'String', StringValue: 'prod' },
          },
        },
      ]);
    });

    it('translates an SDK error into a transient AdapterError naming the message and topic', async () => {
      // Prepare
      const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
      const { client } = fakeSns(throttled);
      const message = sampleMessage();

      // Act
      const error = await new SnsPublisher({ client, topicArn: TOPIC })
        .publish(message)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(AdapterError);
      expect(error).toMatchObject({ code: 'ADAPTER_FAILED', permanent: false, cause: throttled });
      expect((error as AdapterError).message).toBe(
        `SNS publish of message ${message.id} to ${TOPIC} failed: Rate exceeded`,
      );
    });
  });
});
