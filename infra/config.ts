import * as pulumi from '@pulumi/pulumi';
import {
  ConfigError,
  NTFY_SERVER_LIMITS,
  NTFY_SH_LIMITS,
  parsePushLimits,
  parseSchedules,
  readActionKey,
  SCHEDULES,
  type ScheduleDefinition,
  STAGES,
  type Stage,
} from '@rez/core';
import { DEAD_LETTER_GRACE_DAYS, DEAD_LETTER_RETENTION_DAYS } from './components/messaging';

/**
 * The stack configuration (`rez:*` keys in Pulumi.<stage>.yaml), read and
 * validated once. Every error is a {@link ConfigError} naming the key, e.g.
 * `configuration error: rez:batchSize must be a whole number from 1 to 10000, got "0"`.
 */
export interface RezConfig {
  /** The stack name; one of @rez/core STAGES. */
  stage: Stage;
  ntfy: {
    baseUrl: string;
    topic: string;
    /** Optional access token (public ntfy.sh topics need none). Secret. */
    token: pulumi.Output<string> | undefined;
    /**
     * ntfy's limits the worker paces pushes by (`rez:ntfyLimits`, NTFY_LIMITS:
     * `none`, or `burst=60,refill=5s,daily=250`); unset, ntfy.sh's free tier
     * for ntfy.sh and ntfy's server defaults elsewhere.
     */
    limits: string | undefined;
  };
  /** Push action buttons (`rez:pushActions`, default true) and their signing key (`rez:actionKey`, secret). */
  push: {
    actions: boolean;
    /** Required while actions are on: one base64 32-byte key. */
    actionKey: pulumi.Output<string> | undefined;
    /** How long a button's link works (`rez:pushActionTtlHours`, default 24). */
    ttlHours: number;
    /** How long Snooze pauses a schedule (`rez:snoozeHours`, default 24). */
    snoozeHours: number;
  };
  /** CloudWatch Logs retention for every function's log group. */
  logRetentionDays: number;
  queue: {
    /** Receives before a message moves to the DLQ. */
    maxReceiveCount: number;
    /** How long the queue keeps a message; the DLQ keeps it DEAD_LETTER_RETENTION_DAYS from its first enqueue. */
    messageRetentionDays: number;
  };
  worker: {
    timeoutSeconds: number;
    memoryMb: number;
    batchSize: number;
    batchWindowSeconds: number;
    /**
     * Most worker invocations the SQS event source runs at once
     * (`rez:workerMaxConcurrency`, 2 to 1000, default 2; AWS's floor is 2):
     * a backlog never fans out into a crowd of Lambdas all pushing to ntfy.
     */
    maxConcurrency: number;
  };
  /** DynamoDB: point-in-time recovery, and how many days a message is kept (TTL). */
  store: { pointInTimeRecovery: boolean; retentionDays: number };
  web: {
    oauthIssuer: string;
    oauthClientId: string;
    oauthClientSecret: pulumi.Output<string>;
    sessionKey: pulumi.Output<string>;
    allowedUsers: string[];
    /**
     * The console's own DNS name (e.g. rez.example.com) with its ACM
     * certificate in us-east-1; both unset: the distribution's
     * `*.cloudfront.net` name and certificate.
     */
    customDomain: { domainName: string; certificateArn: string } | undefined;
    /** Most schedules people may create from the console in this stage (`rez:userScheduleLimit`, default 100). */
    userScheduleLimit: number;
  };
  alerts: {
    /** An e-mail address subscribed to the alarm topic: a path to the operator that does not go through the worker. */
    email: string | undefined;
  };
  schedules: ScheduleDefinition[];
}

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const NAMESPACE = 'rez';

/** Every `rez:` key the program reads; any other `rez:` key in a stack file is a typo and fails. */
export const CONFIG_KEYS = [
  'ntfyBaseUrl',
  'ntfyTopic',
  'ntfyToken',
  'ntfyLimits',
  'pushActions',
  'actionKey',
  'pushActionTtlHours',
  'snoozeHours',
  'logRetentionDays',
  'userScheduleLimit',
  'maxReceiveCount',
  'messageRetentionDays',
  'workerTimeoutSeconds',
  'workerMemoryMb',
  'batchSize',
  'batchWindowSeconds',
  'workerMaxConcurrency',
  'pointInTimeRecovery',
  'storeRetentionDays',
  'oauthIssuer',
  'oauthClientId',
  'oauthClientSecret',
  'sessionKey',
  'allowedUsers',
  'domainName',
  'certificateArn',
  'alertEmail',
  'schedules',
] as const;

/** Keys earlier versions read, and what replaced them. */
const RETIRED_KEYS: Record<string, string> = {
  publicUrl:
    'the console is served by CloudFront at https://<distribution>.cloudfront.net; for a name of your own set rez:domainName and rez:certificateArn (ACM, us-east-1)',
};

/** Keys that hold secrets: only ever set with `pulumi config set --secret`. */
export const SECRET_KEYS: readonly string[] = ['ntfyToken', 'oauthClientSecret', 'sessionKey', 'actionKey'];

/** Reads and validates the `rez:` configuration of the current stack. */
export function loadConfig(stack: string = pulumi.getStack()): RezConfig {
  const config = new pulumi.Config(NAMESPACE);
  const key = (name: string) => `${NAMESPACE}:${name}`;

  const optional = (name: string): string | undefined => {
    const value = config.get(name)?.trim();
    return value ? value : undefined;
  };
  const required = (name: string): string => {
    const value = optional(name);
    if (value === undefined) throw new ConfigError(key(name), 'is required but not set');
    return value;
  };
  const int = (name: string, min: number, max: number, fallback?: number): number => {
    const raw = optional(name);
    if (raw === undefined) {
      if (fallback === undefined) throw new ConfigError(key(name), 'is required but not set');
      return fallback;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(key(name), `must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = optional(name);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') {
      throw new ConfigError(key(name), `must be true or false, got "${raw}"`);
    }
    return raw === 'true';
  };
  const url = (name: string, fallback?: string): string => {
    const raw = optional(name) ?? fallback;
    if (raw === undefined) throw new ConfigError(key(name), 'is required but not set');
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(key(name), `must be an http(s) URL, got "${raw}"`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new ConfigError(key(name), `must be an http(s) URL, got "${raw}"`);
    }
    return raw.replace(/\/+$/, '');
  };
  const json = (name: string): unknown => {
    const raw = optional(name);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      throw new ConfigError(key(name), `must be a YAML list or map, got "${raw}"`);
    }
  };
  const requiredSecret = (name: string): pulumi.Output<string> => {
    if (optional(name) === undefined) {
      throw new ConfigError(
        key(name),
        `is required: set it with \`pulumi config set --secret ${key(name)}\``,
      );
    }
    return config.requireSecret(name);
  };

  const known = new Set<string>(CONFIG_KEYS);
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    const [namespace, name] = fullKey.split(':');
    if (namespace === NAMESPACE && name in RETIRED_KEYS) {
      throw new ConfigError(fullKey, `is no longer read: ${RETIRED_KEYS[name]}`);
    }
    if (namespace === NAMESPACE && !known.has(name)) {
      throw new ConfigError(fullKey, `is not a setting Rez reads (known: ${CONFIG_KEYS.join(', ')})`);
    }
  }

  if (!(STAGES as readonly string[]).includes(stack)) {
    throw new ConfigError('stack name', `must be one of ${STAGES.join(', ')}, got "${stack}"`);
  }

  const ntfyTopic = required('ntfyTopic');
  if (!/^[-_A-Za-z0-9]{1,64}$/.test(ntfyTopic)) {
    throw new ConfigError(key('ntfyTopic'), `must be 1–64 letters, digits, "-" or "_", got "${ntfyTopic}"`);
  }

  const logRetentionDays = int('logRetentionDays', 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw new ConfigError(
      key('logRetentionDays'),
      `must be one of CloudWatch's retention periods (${LOG_RETENTION_DAYS.join(', ')}), got ${logRetentionDays}`,
    );
  }

  const batchSize = int('batchSize', 1, 10_000);
  const batchWindowSeconds = int('batchWindowSeconds', 0, 300, 0);
  if (batchSize > 10 && batchWindowSeconds < 1) {
    throw new ConfigError(
      key('batchWindowSeconds'),
      `must be at least 1 when rez:batchSize (${batchSize}) is over 10`,
    );
  }

  const allowedUsers = json('allowedUsers');
  if (
    !Array.isArray(allowedUsers) ||
    allowedUsers.length === 0 ||
    !allowedUsers.every((u) => typeof u === 'string' && u.trim() !== '')
  ) {
    throw new ConfigError(key('allowedUsers'), 'must be a non-empty list of user names or e-mail addresses');
  }

  const customDomain = readCustomDomain(optional('domainName'), optional('certificateArn'), key);

  const alertEmail = optional('alertEmail');
  if (alertEmail !== undefined && !/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(alertEmail)) {
    throw new ConfigError(key('alertEmail'), `must be one e-mail address, got "${alertEmail}"`);
  }

  const ntfyBaseUrl = url('ntfyBaseUrl', 'https://ntfy.sh');
  const ntfyLimits = optional('ntfyLimits');
  if (ntfyLimits !== undefined) {
    const defaults = new URL(ntfyBaseUrl).hostname === 'ntfy.sh' ? NTFY_SH_LIMITS : NTFY_SERVER_LIMITS;
    parsePushLimits(ntfyLimits, defaults, key('ntfyLimits'));
  }
  const pushActions = bool('pushActions', true);
  const actionKeyText = optional('actionKey');
  if (pushActions && actionKeyText === undefined) {
    throw new ConfigError(
      key('actionKey'),
      'is required while push actions are on (rez:pushActions): set it with ' +
        '`pulumi config set --secret rez:actionKey "$(openssl rand -base64 32)"`, or set rez:pushActions to false',
    );
  }
  if (actionKeyText !== undefined) readActionKey(actionKeyText, key('actionKey'));

  const schedulesInput = json('schedules');
  let schedules: ScheduleDefinition[];
  try {
    schedules = schedulesInput === undefined ? [...SCHEDULES] : parseSchedules(schedulesInput);
  } catch (error) {
    throw new ConfigError(key('schedules'), (error as Error).message);
  }

  return {
    stage: stack as Stage,
    ntfy: {
      baseUrl: ntfyBaseUrl,
      topic: ntfyTopic,
      token: optional('ntfyToken') === undefined ? undefined : config.requireSecret('ntfyToken'),
      limits: ntfyLimits,
    },
    push: {
      actions: pushActions,
      actionKey: pushActions ? config.requireSecret('actionKey') : undefined,
      ttlHours: int('pushActionTtlHours', 1, 720, 24),
      snoozeHours: int('snoozeHours', 1, 720, 24),
    },
    logRetentionDays,
    queue: {
      maxReceiveCount: int('maxReceiveCount', 1, 1000),
      messageRetentionDays: int(
        'messageRetentionDays',
        1,
        DEAD_LETTER_RETENTION_DAYS - DEAD_LETTER_GRACE_DAYS,
      ),
    },
    worker: {
      timeoutSeconds: int('workerTimeoutSeconds', 1, 900, 30),
      memoryMb: int('workerMemoryMb', 128, 10_240, 512),
      batchSize,
      batchWindowSeconds,
      maxConcurrency: int('workerMaxConcurrency', 2, 1000, 2),
    },
    store: {
      pointInTimeRecovery: bool('pointInTimeRecovery', false),
      retentionDays: int('storeRetentionDays', 1, 3650, 30),
    },
    web: {
      oauthIssuer: url('oauthIssuer'),
      oauthClientId: required('oauthClientId'),
      oauthClientSecret: requiredSecret('oauthClientSecret'),
      sessionKey: requiredSecret('sessionKey'),
      allowedUsers: allowedUsers.map((u: string) => u.trim()),
      customDomain,
      userScheduleLimit: int('userScheduleLimit', 1, 10_000, 100),
    },
    alerts: { email: alertEmail },
    schedules,
  };
}

/**
 * `rez:domainName` and `rez:certificateArn` come as a pair: a host name (no
 * scheme: the console is HTTPS only) and an ACM certificate in us-east-1, the
 * only region CloudFront takes certificates from.
 */
function readCustomDomain(
  domainName: string | undefined,
  certificateArn: string | undefined,
  key: (name: string) => string,
): RezConfig['web']['customDomain'] {
  if (domainName === undefined && certificateArn === undefined) return undefined;
  if (domainName === undefined || certificateArn === undefined) {
    const missing = domainName === undefined ? 'domainName' : 'certificateArn';
    throw new ConfigError(
      key(missing),
      'is required with rez:domainName / rez:certificateArn: set both (a name of your own) or neither (the cloudfront.net name)',
    );
  }
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(domainName)) {
    throw new ConfigError(
      key('domainName'),
      `must be a host name such as rez.example.com (no scheme, no path; the console is HTTPS only), got "${domainName}"`,
    );
  }
  const arn = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/.+$/.exec(certificateArn);
  if (!arn) {
    throw new ConfigError(key('certificateArn'), `must be an ACM certificate ARN, got "${certificateArn}"`);
  }
  if (arn[1] !== 'us-east-1') {
    throw new ConfigError(
      key('certificateArn'),
      `must be a certificate in us-east-1 (CloudFront takes no other region), got one in ${arn[1]}`,
    );
  }
  return { domainName: domainName.toLowerCase(), certificateArn };
}

/**
 * What `pulumi preview` should point out without failing: today, a prod ntfy
 * topic that anyone may publish to or subscribe to because no token reserves it.
 */
export function configWarnings(config: RezConfig): string[] {
  const warnings: string[] = [];
  if (config.stage === 'prod' && config.ntfy.token === undefined) {
    warnings.push(
      `the prod ntfy topic ${config.ntfy.baseUrl}/${config.ntfy.topic} is public: anyone who knows its name can ` +
        'read the alerts and push to it. Reserve it with an ntfy account (ntfy.sh: Account → Reserved topics) and ' +
        'store an access token: pulumi config set --stack prod --secret rez:ntfyToken <token>',
    );
  }
  return warnings;
}
