import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Options shared by every client factory. */
export interface AwsClientOptions {
  /** Defaults to the SDK's own chain (AWS_REGION, then the shared config). */
  region?: string;
  /**
   * An explicit endpoint (tests, emulators). Leave unset in Lambda: the SDK
   * then honours AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL by itself
   * (@smithy/core's getEndpointUrlConfig, SDK v3 ≥ 3.4xx), and otherwise
   * uses the regional AWS endpoint.
   */
  endpoint?: string;
  /**
   * Sockets per client and origin. Keep-alive is the v3 default; 50 sockets
   * covers a worker sending its whole SQS batch and fan-out concurrently
   * without queueing behind one another.
   */
  maxSockets?: number;
}

export const DEFAULT_MAX_SOCKETS = 50;

function baseConfig(options: AwsClientOptions) {
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    requestHandler: {
      // Fail fast on a dead connection: Lambda time is billed while we wait.
      connectionTimeout: 3000,
      httpAgent: { keepAlive: true, maxSockets },
      httpsAgent: { keepAlive: true, maxSockets },
    },
  };
}

/**
 * @example
 * const sns = createSnsClient(); // AWS_ENDPOINT_URL_SNS is honoured when set
 */
export function createSnsClient(options: AwsClientOptions = {}): SNSClient {
  return new SNSClient(baseConfig(options));
}

/**
 * @example
 * const sqs = createSqsClient({ endpoint: 'http://127.0.0.1:4566' });
 */
export function createSqsClient(options: AwsClientOptions = {}): SQSClient {
  return new SQSClient(baseConfig(options));
}

/**
 * @example
 * const dynamodb = createDynamoDbClient({ region: 'eu-central-1' });
 */
export function createDynamoDbClient(options: AwsClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(baseConfig(options));
}

/**
 * A DocumentClient over `client`: plain JS values in and out. Undefined
 * properties are dropped rather than rejected, so optional fields need no
 * special casing.
 *
 * @example
 * const documents = createDocumentClient(createDynamoDbClient());
 */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

/**
 * @example
 * const cloudwatch = createCloudWatchClient();
 */
export function createCloudWatchClient(options: AwsClientOptions = {}): CloudWatchClient {
  return new CloudWatchClient(baseConfig(options));
}

/**
 * @example
 * const ssm = createSsmClient(); // AWS_ENDPOINT_URL_SSM is honoured when set
 */
export function createSsmClient(options: AwsClientOptions = {}): SSMClient {
  return new SSMClient(baseConfig(options));
}
