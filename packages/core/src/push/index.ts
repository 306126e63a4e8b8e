export {
  DEFAULT_SNOOZE_MS,
  PUSH_ACTION_RECORD_TYPE,
  type PushActionPreview,
  type PushActionResult,
  PushActions,
  type PushActionsDeps,
} from './actions';
export {
  afterRateLimit,
  type BudgetDecision,
  type BudgetKind,
  type BudgetUsage,
  budgetAt,
  budgetKey,
  burstReserve,
  DIGEST_LEASE_MARGIN_MS,
  dailyReserve,
  freshBudget,
  NTFY_SERVER_LIMITS,
  NTFY_SH_LIMITS,
  PushBudget,
  type PushBudgetSettings,
  type PushLimits,
  parsePushLimits,
  readPushBudgetSettings,
  readPushLimits,
  takeFromBudget,
} from './budget';
export {
  type PushActionConfig,
  readActionKey,
  readBuiltInScheduleNames,
  readPushActionConfig,
} from './config';
export type { PushContext, PushLinks, PushPipeline } from './context';
export { BudgetedNotifier, type BudgetedNotifierOptions } from './notifier';
export { formatDuration, type PushActionSettings, PushServices, type PushServicesDeps } from './services';
export type {
  AlarmAcknowledgement,
  AlarmAcknowledgements,
  BudgetState,
  PushBudgetStore,
  PushStateStore,
  StoredBudget,
} from './state';
export {
  MAX_TOKEN_LENGTH,
  PUSH_ACTIONS,
  type PushActionClaims,
  type PushActionName,
  pushActionCreator,
  signPushAction,
  TOKEN_PATTERN,
  verifyPushAction,
} from './tokens';
