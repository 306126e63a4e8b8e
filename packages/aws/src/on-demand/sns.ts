/**
 * Loaded on the first publish (see from-env.ts): this module and the SNS
 * client it pulls in stay out of a Lambda's cold start.
 */
import { SnsPublisher } from '../bus/sns-publisher';
import { createSnsClient } from '../sdk/sns';

export function openPublisher(options: { topicArn: string }): SnsPublisher {
  return new SnsPublisher({ client: createSnsClient(), ...options });
}
