import { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsClientOptions, baseConfig } from './base';

/**
 * @example
 * const sqs = createSqsClient({ endpoint: 'http://127.0.0.1:4566' });
 */
export function createSqsClient(options: AwsClientOptions = {}): SQSClient {
  return new SQSClient(baseConfig(options));
}
