export { type Clock, manualClock, systemClock } from './clock';
export {
  type Env,
  type NtfyConfig,
  optionalEnv,
  readNtfyConfig,
  readNtfyTopic,
  readPositiveInt,
  readStage,
  readUrl,
  redactUrlCredentials,
  requireEnv,
} from './config';
export { CONSOLE_CALLBACK_PATH, consoleCallbackUrl, consoleMessagePath } from './console-urls';
export {
  AdapterError,
  ConfigError,
  describeError,
  HopLimitExceededError,
  MessageBusyError,
  MessageNotStoredError,
  MessageTooLargeError,
  NtfyError,
  type NtfyFailureKind,
  PermanentFailure,
  RezError,
  StageMismatchError,
  UnknownMessageTypeError,
  ValidationError,
  type ValidationIssue,
} from './errors';
export {
  createMessage,
  DEFAULT_HOP_LIMIT,
  deriveMessages,
  type MessageFactoryDeps,
  type NewMessage,
} from './factory';
export {
  builtInRegistry,
  cloudwatchAlarmHandler,
  helloWorldHandler,
  type NotifyPayload,
  notifyHandler,
  notifyPayloadSchema,
} from './handlers';
export { childId, type IdGenerator, idTime, seededId, ulidGenerator } from './ids';
export {
  assertMessageSize,
  decodeMessage,
  isStoredMessageId,
  isUtcTimestamp,
  MAX_MESSAGE_BYTES,
  MESSAGE_ATTRIBUTE_TYPE,
  type Message,
  type MessageMetadata,
  messageAttributes,
  messageSchema,
  messageSize,
  parseEnvelope,
  rejectedInputId,
  STAGES,
  STORED_MESSAGE_ID_PATTERN,
  type Stage,
} from './message';
export { NTFY_MAX_ANSWER_BYTES } from './ntfy/answer';
export {
  classify as classifyNtfyResponse,
  fitMessage,
  NTFY_MAX_MESSAGE_BYTES,
  NtfyClient,
  type NtfyClientOptions,
} from './ntfy/client';
export {
  type ClaimOutcome,
  type ClaimResult,
  COUNT_BUCKET_MS,
  type CountBucket,
  type CountQuery,
  claimBlocker,
  claimTakeover,
  type DeadLetter,
  type Delivery,
  decodeListCursor,
  type ErrorSummary,
  encodeListCursor,
  interruptedSince,
  type LifecycleEvent,
  type ListQuery,
  MAX_CURSOR_LENGTH,
  MESSAGE_STATUSES,
  type MessagePublisher,
  type MessageQueue,
  type MessageRecord,
  type MessageStatus,
  type MessageStore,
  type Notification,
  type Notifier,
  type Page,
  type QueueDepth,
  queuedRecord,
  type ReceivedMessage,
  type RejectOptions,
  rejectedInputMessage,
} from './ports';
export {
  type ProcessorDeps,
  type ProcessResult,
  processMessage,
  RECOVERY_CLOCK_SKEW_MS,
} from './processor';
export {
  complete,
  defineHandler,
  type EmitRequest,
  emit,
  type HandlerContext,
  type HandlerOutcome,
  HandlerRegistry,
  type MessageHandler,
  type RecoveryContext,
} from './registry';
export { nextRunAfter, zonedTimeToUtc } from './schedule-times';
export {
  parseScheduleExpression,
  parseSchedules,
  SCHEDULES,
  type ScheduleDefinition,
  type ScheduleExpression,
  type ScheduleInvocation,
  scheduleDefinitionSchema,
  scheduleInvocation,
  scheduleInvocationSchema,
} from './schedules';
export { describeIssue, parseWith, type Schema, toValidationIssues } from './schema';
export { type SubmitDeps, submitMessage } from './submit';
