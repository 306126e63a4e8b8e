import { randomBytes } from 'node:crypto';
import type { NtfyLimits } from './ntfy-contract';

/**
 * ntfy's rules for a JSON publish and a poll, as the real server (v2.13)
 * applies them: what it refuses with which code, and the form in which it
 * caches a message. Kept apart from the HTTP plumbing in ntfy-server.ts; the
 * ntfy contract suite (ntfy-contract.ts) holds both to the real server.
 */

/** ntfy's error answer. `link` is left out when ntfy has none. */
export interface NtfyErrorBody {
  code: number;
  http: number;
  error: string;
  link?: string;
}

const docs = (page: string) => `https://ntfy.sh/docs/${page}`;
const error = (code: number, error: string, link?: string): NtfyErrorBody => ({
  code,
  http: Math.floor(code / 100),
  error,
  ...(link ? { link } : {}),
});

/** The errors ntfy answers that Rez meets, by name. */
export const NTFY_ERRORS = {
  priority: error(40007, 'invalid priority parameter', docs('publish/#message-priority')),
  since: error(40008, 'invalid since parameter', docs('subscribe/api/#fetch-cached-messages')),
  topic: error(40009, 'invalid request: topic invalid'),
  attachments: error(40014, 'invalid request: attachments not allowed', docs('config/#attachments')),
  actions: error(40018, 'invalid request: actions invalid', docs('publish/#action-buttons')),
  json: error(40024, 'invalid request: request body must be valid JSON'),
  unauthorized: error(40101, 'unauthorized', docs('publish/#authentication')),
  forbidden: error(40301, 'forbidden', docs('publish/#authentication')),
  notFound: error(40401, 'page not found'),
  jsonTooLarge: error(41303, 'JSON body too large'),
  tooManyRequests: error(42901, 'limit reached: too many requests', docs('publish/#limitations')),
  dailyQuota: error(42908, 'limit reached: daily message quota reached', docs('publish/#limitations')),
} as const;

/** ntfy's message-size-limit: a body that reaches it is taken as an attachment. */
const MESSAGE_LIMIT = 4096;
/** A JSON publish may be twice that, for the JSON around the message. */
const JSON_LIMIT = 2 * MESSAGE_LIMIT;
/** ntfy's default cache-duration: a cached message expires 12 h after its time. */
const CACHE_SECONDS = 12 * 3600;
export const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
const MESSAGE_ID = /^[A-Za-z0-9]{12}$/;

/** One action button, as ntfy caches it (unset strings and maps left out). */
export interface NtfyAction {
  id: string;
  action: string;
  label: string;
  clear: boolean;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  intent?: string;
  extras?: Record<string, string>;
}

/** A message as ntfy caches it and answers it; unset fields are left out. */
export interface CachedMessage {
  id: string;
  time: number;
  expires: number;
  event: 'message';
  topic: string;
  title?: string;
  message: string;
  priority?: number;
  tags?: string[];
  click?: string;
  actions?: NtfyAction[];
  content_type?: 'text/markdown';
}

/** Unicode White_Space, which Go's strings.TrimSpace trims: U+0085 is in it, U+FEFF is not (unlike String.trim). */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_SPACE_EDGES = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

/**
 * Go's strings.TrimSpace. Written here apart from the client's own copy on
 * purpose: the test server must not share the client's idea of ntfy.
 */
export function goTrimSpace(text: string): string {
  return text.replace(GO_SPACE_EDGES, '');
}

/** A random ntfy id: 12 characters for a message, 10 for an action. */
export function ntfyId(length = 12): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A JSON publish read and checked: the refusal ntfy answers when the body is unusable. */
export type ReadPublish =
  | { error: NtfyErrorBody }
  | {
      topic: string;
      /** Errors ntfy finds only after it checked limits and access (priority, actions). */
      late?: NtfyErrorBody;
      /** The message reaches ntfy's size limit: refused last, as an attachment. */
      tooLarge: boolean;
      /** The message to cache, but for id and time. */
      fields: Omit<CachedMessage, 'id' | 'time' | 'expires' | 'event'>;
    };

/** Reads a JSON publish to the server root the way ntfy's transformBodyJSON and handlePublish do. */
export function readPublish(raw: Buffer): ReadPublish {
  if (raw.length >= JSON_LIMIT) return { error: NTFY_ERRORS.jsonTooLarge };
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { error: NTFY_ERRORS.json };
  }
  // Go decodes into a struct: a wrong type anywhere is a JSON error; null is "unset".
  if (body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) return { error: NTFY_ERRORS.json };
  const b = body as Record<string, unknown>;
  const strings = [
    'topic',
    'title',
    'message',
    'click',
    'icon',
    'attach',
    'filename',
    'email',
    'call',
    'delay',
  ];
  const typed =
    strings.every((k) => b[k] == null || typeof b[k] === 'string') &&
    (b.priority == null || Number.isInteger(b.priority)) &&
    (b.markdown == null || typeof b.markdown === 'boolean') &&
    (b.tags == null || (Array.isArray(b.tags) && b.tags.every((t) => typeof t === 'string'))) &&
    (b.actions == null || (Array.isArray(b.actions) && b.actions.every(isActionJson)));
  if (!typed) return { error: NTFY_ERRORS.json };
  const topic = (b.topic as string | null) ?? '';
  if (!TOPIC.test(topic)) return { error: NTFY_ERRORS.topic };

  const message = (b.message as string | null) || 'triggered';
  const title = goTrimSpace((b.title as string | null) ?? '');
  const click = goTrimSpace((b.click as string | null) ?? '');
  const priority = (b.priority as number | null) ?? 0;
  // Tags travel as one comma-joined header: trimmed whole, split, each trimmed.
  const joined = goTrimSpace(((b.tags as string[] | null) ?? []).join(','));
  const tags = joined ? joined.split(',').filter(Boolean).map(goTrimSpace) : [];
  let late: NtfyErrorBody | undefined;
  let actions: NtfyAction[] = [];
  if (priority !== 0 && (priority < 1 || priority > 5)) late = NTFY_ERRORS.priority;
  else if (Array.isArray(b.actions) && b.actions.length > 0) {
    const parsed = readActions(b.actions as Record<string, unknown>[]);
    if (typeof parsed === 'string')
      late = { ...NTFY_ERRORS.actions, error: `${NTFY_ERRORS.actions.error}; ${parsed}` };
    else actions = parsed;
  }
  const text = goTrimSpace(message) || 'triggered';
  return {
    topic,
    late,
    tooLarge: Buffer.byteLength(message) >= MESSAGE_LIMIT,
    fields: {
      topic,
      ...(title ? { title } : {}),
      message: text,
      ...(priority ? { priority } : {}),
      ...(tags.length ? { tags } : {}),
      ...(click ? { click } : {}),
      ...(actions.length ? { actions } : {}),
      ...(b.markdown ? { content_type: 'text/markdown' as const } : {}),
    },
  };
}

/** Completes a read publish into the message ntfy caches. */
export function cacheForm(
  fields: Extract<ReadPublish, { fields: unknown }>['fields'],
  now = Date.now(),
): CachedMessage {
  const time = Math.floor(now / 1000);
  const { topic, ...rest } = fields;
  return { id: ntfyId(), time, expires: time + CACHE_SECONDS, event: 'message', topic, ...rest };
}

function isActionJson(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const a = value as Record<string, unknown>;
  const isMap = (m: unknown) =>
    m == null ||
    (typeof m === 'object' && !Array.isArray(m) && Object.values(m).every((v) => typeof v === 'string'));
  return (
    ['id', 'action', 'label', 'url', 'method', 'body', 'intent'].every(
      (k) => a[k] == null || typeof a[k] === 'string',
    ) &&
    (a.clear == null || typeof a.clear === 'boolean') &&
    isMap(a.headers) &&
    isMap(a.extras)
  );
}

/** ntfy's parseActions on the JSON array form: the actions as cached, or why they are refused. */
function readActions(input: Record<string, unknown>[]): NtfyAction[] | string {
  const actions = input.map((a) => {
    const text = (key: string) => (typeof a[key] === 'string' && a[key] ? (a[key] as string) : undefined);
    const map = (key: string) => {
      const m = a[key] as Record<string, string> | null | undefined;
      return m && Object.keys(m).length ? m : undefined;
    };
    const action: NtfyAction = {
      id: ntfyId(10),
      action: (text('action') ?? '').toLowerCase(),
      label: text('label') ?? '',
      clear: a.clear === true,
    };
    const rest = {
      url: text('url'),
      method: text('method')?.toUpperCase(),
      headers: map('headers'),
      body: text('body'),
      intent: text('intent'),
      extras: map('extras'),
    };
    for (const [key, value] of Object.entries(rest))
      if (value !== undefined) Object.assign(action, { [key]: value });
    return action;
  });
  if (actions.length > 3) return 'only 3 actions allowed';
  for (const action of actions) {
    if (!['view', 'broadcast', 'http'].includes(action.action))
      return `parameter 'action' cannot be '${action.action}', valid values are 'view', 'broadcast' and 'http'`;
    if (!action.label) return "parameter 'label' is required";
    if (action.action !== 'broadcast' && !action.url)
      return `parameter 'url' is required for action '${action.action}'`;
    if (action.action === 'http' && (action.method === 'GET' || action.method === 'HEAD') && action.body)
      return `parameter 'body' cannot be set if method is ${action.method}`;
  }
  return actions;
}

/** Which cached messages a poll's `since` selects, or null when ntfy cannot read it (40008). */
export type Since = { all: true } | { none: true } | { latest: true } | { id: string } | { time: number };

/** ntfy's parseSince: empty or `all`, `latest`, `none`, a message id, unix seconds, or a Go duration ago. */
export function readSince(value: string | null, now = Date.now()): Since | null {
  if (!value || value === 'all') return { all: true };
  if (value === 'latest') return { latest: true };
  if (value === 'none') return { none: true };
  if (MESSAGE_ID.test(value)) return { id: value };
  if (/^[-+]?\d+$/.test(value)) return { time: Number(value) };
  const duration = goDurationMs(value);
  return duration === null ? null : { time: Math.floor((now - duration) / 1000) };
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1e3,
  m: 6e4,
  h: 36e5,
};

/** Go's time.ParseDuration, in milliseconds ("1h30m", "10s", "0"), or null. */
function goDurationMs(value: string): number | null {
  const sign = value.startsWith('-') ? -1 : 1;
  const rest = value.replace(/^[-+]/, '');
  if (rest === '0') return 0;
  const parts = [...rest.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gu)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== rest) return null;
  return sign * parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
}

/**
 * One visitor's limits (ntfy keys visitors by client IP for users without a
 * tier): a token bucket for requests and a count of messages per day.
 */
export class Visitor {
  #tokens: number;
  #at: number;
  #day = '';
  #messages = 0;

  constructor(
    readonly limits: NtfyLimits,
    now = Date.now(),
  ) {
    this.#tokens = limits.requestBurst;
    this.#at = now;
  }

  /** Takes one request from the bucket (golang.org/x/time/rate's Allow); false when empty. */
  requestAllowed(now = Date.now()): boolean {
    const perMs = 1 / (this.limits.requestReplenishSeconds * 1000);
    this.#tokens = Math.min(this.limits.requestBurst, this.#tokens + (now - this.#at) * perMs);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Counts one message against the day's quota; false once it is used up. */
  messageAllowed(now = Date.now()): boolean {
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.#day) {
      this.#day = day;
      this.#messages = 0;
    }
    if (this.#messages >= this.limits.messagesPerDay) return false;
    this.#messages++;
    return true;
  }
}
