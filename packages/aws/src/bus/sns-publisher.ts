import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  AdapterError,
  MESSAGE_ATTRIBUTE_TYPE,
  type Message,
  type MessagePublisher,
  messageAttributes,
} from '@rez/core';

export interface SnsPublisherOptions {
  client: SNSClient;
  /** The Rez topic (REZ_TOPIC_ARN). */
  topicArn: string;
}

/**
 * Publishes Rez messages to the SNS topic: the body is the message's JSON,
 * and `type` and `stage` travel as String message attributes so that
 * subscriptions can filter on them and the queue copy carries them (with
 * RawMessageDelivery=true they become SQS message attributes).
 *
 * @example
 * const publisher = new SnsPublisher({ client: createSnsClient(), topicArn: process.env.REZ_TOPIC_ARN! });
 * await publisher.publish(message);
 */
export class SnsPublisher implements MessagePublisher {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(options: SnsPublisherOptions) {
    this.#client = options.client;
    this.#topicArn = options.topicArn;
  }

  async publish(message: Message): Promise<void> {
    try {
      await this.#client.send(
        new PublishCommand({
          TopicArn: this.#topicArn,
          Message: JSON.stringify(message),
          // Core's attributes: exactly what messageSize counts against the 256 KiB limit.
          MessageAttributes: Object.fromEntries(
            Object.entries(messageAttributes(message)).map(([name, value]) => [
              name,
              { DataType: MESSAGE_ATTRIBUTE_TYPE, StringValue: value },
            ]),
          ),
        }),
      );
    } catch (error) {
      throw new AdapterError('SNS', `publish of message ${message.id} to ${this.#topicArn}`, error);
    }
  }
}
