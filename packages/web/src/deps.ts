import {
  type Clock,
  ConfigError,
  type CountBucket,
  type Env,
  type HandlerRegistry,
  type IdGenerator,
  type MessagePublisher,
  type MessageQueue,
  type MessageStore,
  optionalEnv,
  type PushLimits,
  type PushStateStore,
  readPositiveInt,
  readUrl,
  requireEnv,
  type ScheduleDefinition,
  type Stage,
  type UserSchedules,
} from '@rez/core';

/**
 * Where the dashboard's counts come from. On AWS it is backed by CloudWatch
 * GetMetricData over the EMF metrics the Lambdas emit; locally (and by
 * default) by the store's pre-aggregated counts, so both show the same view.
 */
export interface MetricsSource {
  /** Lifecycle counts per period, stage and type over [since, until). */
  counts(query: { since: Date; until: Date; periodSeconds: number }): Promise<CountBucket[]>;
}

/** The default metrics source: the store's 5-minute count buckets. */
export function storeMetrics(store: Pick<MessageStore, 'counts'>): MetricsSource {
  return { counts: ({ since, until }) => store.counts({ since, until }) };
}

/** Which identity provider the console logs people in with. */
export type ProviderConfig =
  /** Any OpenID Connect issuer, found by discovery; `metadata` skips the discovery request (tests). */
  | { kind: 'oidc'; issuer: string; metadata?: OidcMetadata }
  /** GitHub OAuth app: identity from /user and /user/emails. */
  | { kind: 'github' };

/** The parts of an issuer's discovery document the console uses. */
export interface OidcMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
}

export interface AuthConfig {
  provider: ProviderConfig;
  clientId: string;
  clientSecret: string;
  /** Lower-cased emails and GitHub logins allowed in; anyone else gets a 403 page. */
  allowedUsers: string[];
  /** 32-byte keys: the first encrypts the session cookie, every one decrypts (rotation). */
  sessionKeys: Buffer[];
  /** The console's public base URL, e.g. https://console.example.com (no trailing slash). */
  publicUrl: string;
  /** Session lifetime; default 12 hours. */
  sessionTtlSeconds?: number;
  /** HTTP seam for discovery, userinfo and the GitHub API; default global fetch. */
  fetch?: typeof fetch;
}

/** Everything the console needs from the outside world. */
export interface ConsoleDeps {
  /** The stage this console serves; new messages are created for it. */
  stage: Stage;
  registry: HandlerRegistry;
  store: MessageStore;
  /** For queue and DLQ depth, the DLQ list and redrive. */
  queue: MessageQueue;
  publisher: MessagePublisher;
  clock: Clock;
  ids: IdGenerator;
  schedules: readonly ScheduleDefinition[];
  /** When rate() schedules started counting (their creation; locally, the first start). */
  scheduleAnchor: Date;
  /** The schedules people manage (the Schedules page); without it the page lists the built-in ones only. */
  userSchedules?: UserSchedules;
  /** Default: {@link storeMetrics} over `store`. */
  metrics?: MetricsSource;
  /**
   * Push actions and pacing: the signed links of push buttons
   * (`/actions/<token>`) and the dashboard's quota and held pushes. Without
   * it, links answer 404 and the dashboard shows no push panel.
   */
  push?: ConsolePush;
  auth: AuthConfig;
  /** Trust X-Forwarded-* from this many proxy hops (1 behind an ALB); default none. */
  trustProxy?: number;
  /** Fastify logger options; default off. */
  logger?: boolean | { level: string };
}

/** What the console needs for push buttons and the push panel (see ConsoleDeps.push). */
export interface ConsolePush {
  /** The budget, used action links and acknowledged alarms: the worker's own store of them. */
  state: PushStateStore;
  /** The key that checks action links; null: push actions are off (REZ_PUSH_ACTIONS=false), links answer 404. */
  actionKey: Buffer | null;
  /** The ntfy budget the dashboard shows (server and topic, limits); null: pushes are not paced. */
  budget: { key: string; limits: PushLimits } | null;
}

/** What {@link readConsoleConfig} reads from the environment. */
export interface ConsoleConfig {
  auth: AuthConfig;
  port: number;
}

/** The two secrets of {@link AuthConfig}: on AWS they come from SSM, not from the environment. */
export type AuthSecrets = Pick<AuthConfig, 'clientSecret' | 'sessionKeys'>;

/**
 * Reads the console's settings: OAUTH_PROVIDER (`github`, or unset for OIDC
 * discovery from OAUTH_ISSUER), OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET,
 * REZ_ALLOWED_USERS (comma list of emails or GitHub logins), REZ_SESSION_KEY
 * (comma list of base64 32-byte keys, newest first), REZ_PUBLIC_URL, PORT
 * (default 3000). Throws ConfigError naming the variable.
 *
 * @example
 * const { auth, port } = readConsoleConfig(process.env);
 */
export function readConsoleConfig(env: Env): ConsoleConfig {
  const settings = readAuthSettings(env);
  return {
    auth: {
      ...settings,
      clientSecret: requireEnv(env, 'OAUTH_CLIENT_SECRET'),
      sessionKeys: readSessionKeys(env),
    },
    port: readPositiveInt(env, 'PORT', 3000),
  };
}

/**
 * Everything of {@link AuthConfig} but its secrets, from the environment
 * (OAUTH_PROVIDER, OAUTH_ISSUER, OAUTH_CLIENT_ID, REZ_ALLOWED_USERS,
 * REZ_PUBLIC_URL): what the console's Lambda reads at cold start, before it
 * reads its secrets from SSM. Throws ConfigError naming the variable.
 */
export function readAuthSettings(env: Env): Omit<AuthConfig, keyof AuthSecrets> {
  const providerName = optionalEnv(env, 'OAUTH_PROVIDER') ?? 'oidc';
  let provider: ProviderConfig;
  if (providerName === 'github') provider = { kind: 'github' };
  else if (providerName === 'oidc') provider = { kind: 'oidc', issuer: readUrl(env, 'OAUTH_ISSUER') };
  else
    throw new ConfigError(
      'OAUTH_PROVIDER',
      `must be "github" or unset (OIDC discovery), got "${providerName}"`,
    );
  return {
    provider,
    clientId: requireEnv(env, 'OAUTH_CLIENT_ID'),
    allowedUsers: readAllowedUsers(env),
    publicUrl: readUrl(env, 'REZ_PUBLIC_URL'),
  };
}

function readAllowedUsers(env: Env): string[] {
  const users = requireEnv(env, 'REZ_ALLOWED_USERS')
    .split(',')
    .map((user) => user.trim().toLowerCase())
    .filter(Boolean);
  if (users.length === 0) {
    throw new ConfigError('REZ_ALLOWED_USERS', 'must list at least one email or GitHub login');
  }
  return users;
}

/** Decodes REZ_SESSION_KEY: `openssl rand -base64 32`, several comma-separated while rotating. */
export function readSessionKeys(env: Env, name = 'REZ_SESSION_KEY'): Buffer[] {
  return requireEnv(env, name)
    .split(',')
    .map((text, index) => {
      const key = Buffer.from(text.trim(), 'base64');
      if (key.length !== 32) {
        throw new ConfigError(
          name,
          `key ${index + 1} must be 32 bytes in base64 (openssl rand -base64 32), got ${key.length} bytes`,
        );
      }
      return key;
    });
}
