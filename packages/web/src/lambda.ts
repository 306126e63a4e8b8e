/**
 * The console's Lambda entry behind an ALB (bundled to dist/index.js with the
 * views copied to dist/views). Configuration is read at module scope; each
 * AWS client is built on the first request that needs it (none for sign-in
 * or /healthz) and kept, so warm invocations reuse its connections. The app
 * itself is built on the first event, after its two secrets (the OAuth client
 * secret and the session keys) are read from SSM: a parameter that cannot
 * be read fails that event with an error naming it and its variable, and the
 * next event tries again.
 */
import { awsPipelineFromEnv } from '@rez/aws/from-env';
import { cloudWatchPipelineMetrics, type PipelineMetricsReader } from '@rez/aws/metrics-from-env';
import { pushStateFromEnv } from '@rez/aws/push-state-from-env';
import { sqsQueueFromEnv } from '@rez/aws/queue-from-env';
import { eventBridgeSchedulerFromEnv, userScheduleStoreFromEnv } from '@rez/aws/schedules-from-env';
import {
  builtInRegistry,
  ConfigError,
  type Env,
  optionalEnv,
  parseSchedules,
  readPushActionConfig,
  readPushBudgetSettings,
  SCHEDULES,
  type ScheduleDefinition,
  type Stage,
  systemClock,
  UserSchedules,
  ulidGenerator,
} from '@rez/core';
import { buildApp } from './app';
import { type AuthSecrets, type ConsoleDeps, type MetricsSource, readAuthSettings } from './deps';
import { createAlbHandler } from './lambda-handler';
import { consoleSecretsFromEnv } from './lambda-secrets';

/**
 * Dashboard counts from the worker's CloudWatch metrics. They carry the stage
 * but not the type, so the by-type table shows one row for all types.
 */
export function cloudWatchMetrics(reader: PipelineMetricsReader, stage: Stage): MetricsSource {
  return {
    async counts({ since, until, periodSeconds }) {
      const points = await reader.read({ stage, since, until, periodSeconds });
      return points.map((p) => ({
        bucket: p.time,
        stage,
        type: 'all types',
        created: p.received,
        completed: p.completed,
        failed: p.failed,
      }));
    },
  };
}

/** REZ_SCHEDULES (JSON, set by the Pulumi program to the stack's schedules), else core's SCHEDULES. */
function readSchedules(env: Env): readonly ScheduleDefinition[] {
  const text = optionalEnv(env, 'REZ_SCHEDULES');
  if (!text) return SCHEDULES;
  try {
    return parseSchedules(JSON.parse(text));
  } catch (error) {
    throw new ConfigError(
      'REZ_SCHEDULES',
      `must be a JSON list of schedule definitions: ${(error as Error).message}`,
    );
  }
}

/** The console's deps without its secrets: what the Lambda reads from its environment at cold start. */
export type ConsoleDepsWithoutSecrets = Omit<ConsoleDeps, 'auth' | 'push'> & {
  auth: Omit<ConsoleDeps['auth'], keyof AuthSecrets>;
  /** All of ConsoleDeps.push but the action key (from SSM); `actions` says whether to use it. */
  push: Omit<NonNullable<ConsoleDeps['push']>, 'actionKey'> & { actions: boolean };
};

/**
 * Reads the Lambda's environment: what awsPipelineFromEnv reads (REZ_STAGE,
 * REZ_TOPIC_ARN, REZ_MESSAGES_TABLE, REZ_RETENTION_DAYS), the push settings
 * (NTFY_BASE_URL, NTFY_TOPIC, NTFY_LIMITS, REZ_PUSH_ACTIONS), REZ_QUEUE_URL,
 * REZ_DLQ_URL, REZ_SCHEDULE_ANCHOR (optional, when rate() schedules were
 * created), the user schedules' settings (eventBridgeSchedulerFromEnv:
 * REZ_USER_SCHEDULE_GROUP and the target it needs) and what readAuthSettings
 * reads. The secrets are not here: see {@link consoleSecretsFromEnv}.
 */
export function depsFromEnv(env: Env): ConsoleDepsWithoutSecrets {
  const { stage, store, publisher } = awsPipelineFromEnv(env);
  const anchorText = optionalEnv(env, 'REZ_SCHEDULE_ANCHOR');
  const scheduleAnchor = anchorText ? new Date(anchorText) : new Date(0);
  if (Number.isNaN(scheduleAnchor.getTime())) {
    throw new ConfigError('REZ_SCHEDULE_ANCHOR', `must be an ISO date-time, got "${anchorText}"`);
  }
  const registry = builtInRegistry();
  const ids = ulidGenerator();
  const schedules = readSchedules(env);
  const { scheduler, limit } = eventBridgeSchedulerFromEnv(env);
  return {
    stage,
    registry,
    store,
    queue: sqsQueueFromEnv(env),
    publisher,
    clock: systemClock,
    ids,
    schedules,
    scheduleAnchor,
    // Without a user schedule group (REZ_USER_SCHEDULE_GROUP) the Schedules page lists the built-in ones only.
    userSchedules: scheduler
      ? new UserSchedules({
          schedules: userScheduleStoreFromEnv(env),
          scheduler,
          store,
          bus: publisher,
          registry,
          clock: systemClock,
          ids,
          stage,
          builtIn: schedules,
          limit,
        })
      : undefined,
    metrics: cloudWatchMetrics(cloudWatchPipelineMetrics(), stage),
    push: pushSettings(env),
    auth: readAuthSettings(env),
    // The ALB is the one proxy in front: its X-Forwarded-For hop and X-Forwarded-Proto are trusted.
    trustProxy: 1,
    logger: { level: optionalEnv(env, 'LOG_LEVEL') ?? 'info' },
  };
}

/**
 * The push panel and push action links: the worker's push state (the
 * messages table), the ntfy budget it paces by (NTFY_BASE_URL, NTFY_TOPIC,
 * NTFY_LIMITS: the worker's own settings) and REZ_PUSH_ACTIONS.
 */
function pushSettings(env: Env): ConsoleDepsWithoutSecrets['push'] {
  return {
    state: pushStateFromEnv(env),
    budget: readPushBudgetSettings(env),
    actions: readPushActionConfig(env).enabled,
  };
}

// Read at module load, so a misconfigured function fails at its first (cold) start with the variable named.
const settings = depsFromEnv(process.env);
const secrets = consoleSecretsFromEnv(process.env);

export const handler = createAlbHandler(async () => {
  const { clientSecret, sessionKeys, actionKey } = await secrets.read();
  const { actions, ...push } = settings.push;
  return buildApp({
    ...settings,
    auth: { ...settings.auth, clientSecret, sessionKeys },
    push: { ...push, actionKey: actions ? actionKey : null },
  });
});
