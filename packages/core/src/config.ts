import { ConfigError } from './errors';
import { STAGES, type Stage } from './message';

export type Env = Record<string, string | undefined>;

/** A required variable; throws {@link ConfigError} naming it when missing or empty. */
export function requireEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required but not set');
  return value;
}

export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function readStage(env: Env, name = 'REZ_STAGE'): Stage {
  const value = requireEnv(env, name);
  if (!(STAGES as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${STAGES.join(', ')}, got "${value}"`);
  }
  return value as Stage;
}

/**
 * An http(s) URL variable, without trailing slashes. Credentials in it
 * (`https://user:pass@host`) are allowed and kept, but never shown: an error
 * quotes the value through {@link redactUrlCredentials}.
 */
export function readUrl(env: Env, name: string, fallback?: string): string {
  const value = optionalEnv(env, name) ?? fallback;
  if (value === undefined) throw new ConfigError(name, 'is required but not set');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${redactUrlCredentials(value)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must be an http(s) URL, got "${redactUrlCredentials(value)}"`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * Replaces the user information of every URL in `text` (`scheme://user:pass@`)
 * with `***`, so a URL with credentials can be printed or logged.
 *
 * @example
 * redactUrlCredentials('delivering to https://rez:s3cret@ntfy.example.com'); // 'delivering to https://***@ntfy.example.com'
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1***@');
}

/**
 * A whole number from 1 to `max`, written in decimal digits (no sign,
 * exponent or hex). Give every setting a `max` it can sensibly reach: an
 * absurd value must be refused at start, naming the variable and the range,
 * rather than make the process allocate or spin for it.
 */
export function readPositiveInt(
  env: Env,
  name: string,
  fallback: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  const raw = optionalEnv(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? 'a positive whole number' : `a whole number from 1 to ${max}`;
    throw new ConfigError(name, `must be ${range}, got "${raw}"`);
  }
  return value;
}

/** ntfy topics: 1–64 of letters, digits, - and _ (ntfy's own rule). */
export function readNtfyTopic(env: Env, name = 'NTFY_TOPIC'): string {
  const topic = requireEnv(env, name);
  if (!/^[-_A-Za-z0-9]{1,64}$/.test(topic)) {
    throw new ConfigError(name, `must be 1–64 letters, digits, "-" or "_", got "${topic}"`);
  }
  return topic;
}

export interface NtfyConfig {
  baseUrl: string;
  topic: string;
  token?: string;
}

/** NTFY_BASE_URL (default https://ntfy.sh), NTFY_TOPIC, NTFY_TOKEN (optional). */
export function readNtfyConfig(env: Env): NtfyConfig {
  return {
    baseUrl: readUrl(env, 'NTFY_BASE_URL', 'https://ntfy.sh'),
    topic: readNtfyTopic(env),
    token: optionalEnv(env, 'NTFY_TOKEN'),
  };
}

/** A yes/no variable: true/false, on/off, yes/no or 1/0; `fallback` when unset. */
export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = optionalEnv(env, name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (['true', 'on', 'yes', '1'].includes(value)) return true;
  if (['false', 'off', 'no', '0'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}
