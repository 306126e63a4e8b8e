import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { type AwsClientOptions, baseConfig } from './base';

/**
 * @example
 * const scheduler = createSchedulerClient(); // AWS_ENDPOINT_URL_SCHEDULER is honoured when set
 */
export function createSchedulerClient(options: AwsClientOptions = {}): SchedulerClient {
  return new SchedulerClient(baseConfig(options));
}
