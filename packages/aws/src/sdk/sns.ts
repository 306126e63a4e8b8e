import { SNSClient } from '@aws-sdk/client-sns';
import { type AwsClientOptions, baseConfig } from './base';

/**
 * @example
 * const sns = createSnsClient(); // AWS_ENDPOINT_URL_SNS is honoured when set
 */
export function createSnsClient(options: AwsClientOptions = {}): SNSClient {
  return new SNSClient(baseConfig(options));
}
