import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { type AwsClientOptions, baseConfig } from './base';

/**
 * @example
 * const cloudwatch = createCloudWatchClient();
 */
export function createCloudWatchClient(options: AwsClientOptions = {}): CloudWatchClient {
  return new CloudWatchClient(baseConfig(options));
}
