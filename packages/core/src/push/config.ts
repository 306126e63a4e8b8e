import { type Env, readBoolean, readPositiveInt } from '../config';
import { ConfigError } from '../errors';

/** What push action buttons are set to, from the environment (the key comes on its own: a file or SSM). */
export interface PushActionConfig {
  /** REZ_PUSH_ACTIONS (default true): whether pushes carry action buttons and links are answered. */
  enabled: boolean;
  /** REZ_PUSH_ACTION_TTL_HOURS (default 24): how long a button's link works. */
  ttlMs: number;
  /** REZ_SNOOZE_HOURS (default 24): how long Snooze pauses a schedule. */
  snoozeMs: number;
}

const HOUR_MS = 3_600_000;
/** A link or a snooze of up to 30 days. */
const MAX_HOURS = 720;

/**
 * Reads REZ_PUSH_ACTIONS, REZ_PUSH_ACTION_TTL_HOURS and REZ_SNOOZE_HOURS;
 * errors name the variable.
 *
 * @example
 * const { enabled, ttlMs } = readPushActionConfig(process.env);
 */
export function readPushActionConfig(env: Env): PushActionConfig {
  return {
    enabled: readBoolean(env, 'REZ_PUSH_ACTIONS', true),
    ttlMs: readPositiveInt(env, 'REZ_PUSH_ACTION_TTL_HOURS', 24, MAX_HOURS) * HOUR_MS,
    snoozeMs: readPositiveInt(env, 'REZ_SNOOZE_HOURS', 24, MAX_HOURS) * HOUR_MS,
  };
}

/** One base64 32-byte key (`openssl rand -base64 32`), as the push action key is kept; errors name `source`. */
export function readActionKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(trimmed) || key.length !== 32)
    throw new ConfigError(
      source,
      `must hold one base64 32-byte key (openssl rand -base64 32), got ${trimmed ? `${key.length} bytes` : 'nothing'}`,
    );
  return key;
}

/** Names of the built-in schedules from REZ_BUILT_IN_SCHEDULES (comma list; the worker's: Snooze is for user schedules). */
export function readBuiltInScheduleNames(env: Env): string[] {
  return (env.REZ_BUILT_IN_SCHEDULES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}
