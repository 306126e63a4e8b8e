/** Every SDK client factory, for tests and tools; the Lambda chunks import sdk/<service>.ts directly. */
export { type AwsClientOptions, DEFAULT_MAX_SOCKETS } from './sdk/base';
export { createCloudWatchClient } from './sdk/cloudwatch';
export { createDocumentClient, createDynamoDbClient } from './sdk/dynamodb';
export { createSchedulerClient } from './sdk/scheduler';
export { createSnsClient } from './sdk/sns';
export { createSqsClient } from './sdk/sqs';
