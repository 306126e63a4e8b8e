export { type SqsDeadLetterOptions, sqsDeadLetter } from './bus/dead-letter';
export { type QueueUrlOptions, queueUrlFromArn } from './bus/queue-url';
export { SnsPublisher, type SnsPublisherOptions } from './bus/sns-publisher';
export { SqsQueue, type SqsQueueOptions } from './bus/sqs-queue';
export { SqsRedelivery } from './bus/sqs-redelivery';
export {
  type AwsClientOptions,
  createCloudWatchClient,
  createDocumentClient,
  createDynamoDbClient,
  createSchedulerClient,
  createSnsClient,
  createSqsClient,
  DEFAULT_MAX_SOCKETS,
} from './clients';
export { SecretParameterError, StoreConflictError } from './errors';
export {
  type PipelineMetricsQuery,
  type PipelinePoint,
  readPipelineMetrics,
} from './metrics/pipeline-metrics';
export {
  createEmfCounters,
  createJsonLogger,
  type EmfCounters,
  type EmfCountersOptions,
  type JsonLogger,
  type JsonLoggerOptions,
  METRICS_NAMESPACE,
  PIPELINE_METRICS,
  WORKER_SERVICE,
} from './observability';
export { DynamoPushBudgets } from './push/dynamo-push-budgets';
export { DynamoPushStateStore, type DynamoPushStateStoreOptions } from './push/dynamo-push-state';
export { DynamoUserScheduleRuns } from './schedules/dynamo-schedule-runs';
export {
  DynamoUserScheduleStore,
  type DynamoUserScheduleStoreOptions,
} from './schedules/dynamo-schedule-store';
export {
  EventBridgeScheduler,
  type SchedulerClientPort,
  type SchedulerCommand,
  type ScheduleTarget,
} from './schedules/eventbridge-scheduler';
export {
  createSsmReader,
  GET_PARAMETER_TARGET,
  type ReadParameter,
  type SsmReaderOptions,
  SsmRequestError,
  ssmEndpoint,
} from './secrets/ssm-get-parameter';
export {
  SECRET_PARAMETERS,
  type SecretKey,
  secretParameterName,
  secretParameterPath,
} from './secrets-env';
export { messagesTableInput } from './store/create-table';
export { DynamoMessageStore, type DynamoMessageStoreOptions } from './store/dynamo-store';
export { MESSAGES_TABLE } from './store/table';
