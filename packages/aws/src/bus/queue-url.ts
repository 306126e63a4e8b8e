import { type Env, ValidationError } from '@rez/core';
import { configuredEndpoint } from '../sdk/base';

const SQS_ARN = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;

export interface QueueUrlOptions {
  /**
   * Endpoint to build the URL on (an emulator). Defaults to the one the
   * SDK's SQS client is configured with from `env` (configuredEndpoint).
   */
  endpoint?: string;
  /** Where to read the endpoint variables; defaults to process.env. */
  env?: Env;
}

/**
 * The queue URL for an SQS queue ARN. SQS event records name their queue by
 * `eventSourceARN` only, but every SQS call wants the URL. On AWS the URL is
 * https://sqs.<region>.amazonaws.com/<account>/<name> (amazonaws.com.cn in
 * China); with an endpoint configured it is <endpoint>/<account>/<name>,
 * which is what emulators such as fauxqs hand out.
 *
 * @example
 * queueUrlFromArn('arn:aws:sqs:eu-central-1:123456789012:rez-dev-messages');
 * // → 'https://sqs.eu-central-1.amazonaws.com/123456789012/rez-dev-messages'
 */
export function queueUrlFromArn(arn: string, options: QueueUrlOptions = {}): string {
  const match = SQS_ARN.exec(arn);
  if (!match) {
    throw new ValidationError('SQS queue ARN', [
      { path: '', message: `"${arn}" is not arn:<partition>:sqs:<region>:<12-digit account>:<queue name>` },
    ]);
  }
  const [, partition, region, account, name] = match;
  const endpoint = options.endpoint ?? configuredEndpoint('SQS', options.env);
  if (endpoint) return `${endpoint.replace(/\/+$/, '')}/${account}/${name}`;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}
