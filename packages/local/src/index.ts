export {
  CliUsageError,
  DatabaseOpenError,
  LocalError,
  MessageNotFoundError,
  UnknownQueueError,
  UnknownScheduleError,
} from './errors';
export { type CreateQueueOptions, SqliteBus, SqlitePublisher } from './sqlite/bus';
export { type OpenDatabaseOptions, openDatabase, type SqliteDatabase } from './sqlite/database';
export { SqliteQueue } from './sqlite/queue';
export { SqliteMessageStore } from './sqlite/store';
