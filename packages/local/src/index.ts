export { LocalTarget, type RezTarget } from './cli/target';
export { type LocalConfig, readLocalConfig } from './config';
export { type LocalConsole, startLocalConsole } from './console';
export {
  CliUsageError,
  DatabaseOpenError,
  LocalError,
  UnknownQueueError,
  UnknownScheduleError,
} from './errors';
export { type LocalPipeline, openLocalPipeline, TOPIC, WORKER_DLQ, WORKER_QUEUE } from './pipeline';
export {
  type BatchDelivery,
  type BatchHandler,
  defaultBackoffSeconds,
  Poller,
  type PollerOptions,
} from './poller';
export { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from './runtime';
export { SchedulerLoop, type SchedulerLoopOptions, type ScheduleStatus } from './scheduler-loop';
export { type CreateQueueOptions, SqliteBus, SqlitePublisher } from './sqlite/bus';
export { type OpenDatabaseOptions, openDatabase, type SqliteDatabase } from './sqlite/database';
export { SqlitePushStateStore } from './sqlite/push-state-store';
export { SqliteQueue } from './sqlite/queue';
export { type ScheduleRow, SqliteUserScheduleStore } from './sqlite/schedule-store';
export { SqliteMessageStore } from './sqlite/store';
export { type EventSource, sqsEvent } from './sqs-event';
