import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  DEFAULT_USER_SCHEDULE_LIMIT,
  type Env,
  optionalEnv,
  type PushActionConfig,
  type PushLimits,
  parseSchedules,
  readNtfyTopic,
  readPositiveInt,
  readPushActionConfig,
  readPushLimits,
  readStage,
  readUrl,
  SCHEDULES,
  type ScheduleDefinition,
  type Stage,
} from '@rez/core';
import { DATA_FILE_MODE, prepareDataDir, readDataFile } from './data-dir';

export interface LocalConfig {
  /** Absolute path of the data directory (REZ_DATA_DIR, default ./.rez). */
  dataDir: string;
  dbFile: string;
  stage: Stage;
  ntfy: {
    baseUrl: string;
    topic: string;
    token?: string;
    /** Where the topic came from: NTFY_TOPIC, or generated once and kept in the data dir. */
    topicSource: 'env' | 'generated' | 'data-dir';
  };
  port: number;
  /**
   * Where pushes link to (their "Open" and action buttons): REZ_PUBLIC_URL,
   * by default the console's own http://localhost:PORT — set it to an
   * address your phone reaches (a tunnel) to press the buttons from there.
   */
  publicUrl: string;
  /** How pushes are paced (NTFY_LIMITS) and what their buttons do (REZ_PUSH_ACTIONS, …). */
  push: { limits: PushLimits | null; actions: PushActionConfig };
  /**
   * Port of the development OpenID provider (REZ_DEV_OIDC_PORT); undefined
   * picks a free one. Fixed where the sign-in page must be forwarded (a dev container).
   */
  devOidcPort?: number;
  /** SQLite synchronous mode (REZ_SQLITE_SYNCHRONOUS): NORMAL by default, see openDatabase. */
  synchronous: 'NORMAL' | 'FULL';
  poller: { concurrency: number; visibilityTimeoutSeconds: number; maxReceiveCount: number };
  /** Threads the worker handler runs in (REZ_WORKER_THREADS, default 1). */
  workerThreads: number;
  schedules: ScheduleDefinition[];
  /** Where the schedules came from: core's SCHEDULES or <dataDir>/schedules.json. */
  schedulesSource: string;
  /** Most user schedules the data dir may hold (REZ_USER_SCHEDULE_LIMIT, default 100). */
  userScheduleLimit: number;
  /** Things the operator should hear about at start (a data dir open to other users). */
  warnings: string[];
}

/**
 * The largest value each numeric setting takes. PORT: TCP. Batches and
 * threads: each costs memory and an idle poll, and past a few dozen they only
 * contend for the same SQLite connection and cores. Visibility timeout and
 * receive count: SQS's own maxima (12 h, 1,000), so a setting tried here
 * means the same on AWS.
 */
export const LIMITS = {
  PORT: 65_535,
  REZ_POLLER_BATCHES: 64,
  REZ_WORKER_THREADS: 32,
  REZ_VISIBILITY_TIMEOUT_SECONDS: 43_200,
  REZ_MAX_RECEIVE_COUNT: 1_000,
  REZ_USER_SCHEDULE_LIMIT: 10_000,
  REZ_DEV_OIDC_PORT: 65_535,
} as const;

export const TOPIC_FILE = 'ntfy-topic';
export const SCHEDULES_FILE = 'schedules.json';

/**
 * Reads and validates the local runtime's configuration once; every error
 * names its variable. With no NTFY_TOPIC, a random topic (rez- and 22
 * base64url characters, 128 bits) is generated on first use and kept in
 * the data dir: ntfy topics are public to whoever knows the name, so a
 * default shared by every install would deliver to strangers.
 */
export function readLocalConfig(env: Env = process.env, cwd = process.cwd()): LocalConfig {
  const dataDir = path.resolve(cwd, optionalEnv(env, 'REZ_DATA_DIR') ?? '.rez');
  const stage = readStage({ REZ_STAGE: optionalEnv(env, 'REZ_STAGE') ?? 'dev' });
  const baseUrl = readUrl(env, 'NTFY_BASE_URL', 'https://ntfy.sh');
  const port = readPositiveInt(env, 'PORT', 3000, LIMITS.PORT);
  const devOidcPort = optionalEnv(env, 'REZ_DEV_OIDC_PORT')
    ? readPositiveInt(env, 'REZ_DEV_OIDC_PORT', 0, LIMITS.REZ_DEV_OIDC_PORT)
    : undefined;
  if (devOidcPort === port) {
    throw new ConfigError('REZ_DEV_OIDC_PORT', `must differ from PORT (${port}), got "${devOidcPort}"`);
  }
  const synchronous = (optionalEnv(env, 'REZ_SQLITE_SYNCHRONOUS') ?? 'NORMAL').toUpperCase();
  if (synchronous !== 'NORMAL' && synchronous !== 'FULL')
    throw new ConfigError('REZ_SQLITE_SYNCHRONOUS', `must be NORMAL or FULL, got "${synchronous}"`);
  const { warnings } = prepareDataDir(dataDir);
  const { schedules, source } = readSchedules(dataDir);
  return {
    dataDir,
    dbFile: path.join(dataDir, 'rez.db'),
    stage,
    ntfy: { baseUrl, token: optionalEnv(env, 'NTFY_TOKEN'), ...readTopic(env, dataDir) },
    port,
    publicUrl: readUrl(env, 'REZ_PUBLIC_URL', `http://localhost:${port}`),
    push: { limits: readPushLimits(env, baseUrl), actions: readPushActionConfig(env) },
    devOidcPort,
    synchronous,
    poller: {
      concurrency: readPositiveInt(env, 'REZ_POLLER_BATCHES', 16, LIMITS.REZ_POLLER_BATCHES),
      visibilityTimeoutSeconds: readPositiveInt(
        env,
        'REZ_VISIBILITY_TIMEOUT_SECONDS',
        30,
        LIMITS.REZ_VISIBILITY_TIMEOUT_SECONDS,
      ),
      maxReceiveCount: readPositiveInt(env, 'REZ_MAX_RECEIVE_COUNT', 5, LIMITS.REZ_MAX_RECEIVE_COUNT),
    },
    workerThreads: readPositiveInt(env, 'REZ_WORKER_THREADS', 1, LIMITS.REZ_WORKER_THREADS),
    schedules,
    schedulesSource: source,
    userScheduleLimit: readPositiveInt(
      env,
      'REZ_USER_SCHEDULE_LIMIT',
      DEFAULT_USER_SCHEDULE_LIMIT,
      LIMITS.REZ_USER_SCHEDULE_LIMIT,
    ),
    warnings,
  };
}

function readTopic(
  env: Env,
  dataDir: string,
): { topic: string; topicSource: LocalConfig['ntfy']['topicSource'] } {
  if (optionalEnv(env, 'NTFY_TOPIC')) return { topic: readNtfyTopic(env), topicSource: 'env' };
  const file = path.join(dataDir, TOPIC_FILE);
  if (!existsSync(file)) {
    const topic = `rez-${randomBytes(16).toString('base64url')}`;
    try {
      // 'wx': if another process created it first, keep theirs.
      writeFileSync(file, `${topic}\n`, { flag: 'wx', mode: DATA_FILE_MODE });
      return { topic, topicSource: 'generated' };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const stored = (readDataFile(file, 'an ntfy topic') ?? '').trim();
  try {
    return { topic: readNtfyTopic({ NTFY_TOPIC: stored }), topicSource: 'data-dir' };
  } catch {
    throw new ConfigError(
      'NTFY_TOPIC',
      `is unset and ${file} holds "${stored}", not a valid topic (1–64 letters, digits, "-" or "_"); fix or delete it`,
    );
  }
}

function readSchedules(dataDir: string): { schedules: ScheduleDefinition[]; source: string } {
  const file = path.join(dataDir, SCHEDULES_FILE);
  const text = readDataFile(file, 'a JSON list of schedules');
  if (text === undefined) return { schedules: [...SCHEDULES], source: 'built-in (@rez/core SCHEDULES)' };
  try {
    return { schedules: parseSchedules(JSON.parse(text)), source: file };
  } catch (error) {
    throw new ConfigError(
      file,
      `must be a JSON list of schedules (remove it to use the built-in ones): ${(error as Error).message}`,
    );
  }
}
