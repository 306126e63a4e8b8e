import { SSMClient } from '@aws-sdk/client-ssm';
import { type AwsClientOptions, baseConfig } from './base';

/**
 * @example
 * const ssm = createSsmClient(); // AWS_ENDPOINT_URL_SSM is honoured when set
 */
export function createSsmClient(options: AwsClientOptions = {}): SSMClient {
  return new SSMClient(baseConfig(options));
}
