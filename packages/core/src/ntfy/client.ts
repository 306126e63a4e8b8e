import type http from 'node:http';
import { redactUrlCredentials } from '../config';
import { NtfyError } from '../errors';
import type { Delivery, Notification, Notifier } from '../ports';
import { NTFY_MAX_ANSWER_BYTES, readBody, readLines } from './answer';

/**
 * The most a message may carry. ntfy's limit is 4,096 bytes, but a message
 * that reaches it (not only one over it) is taken for an attachment, which a
 * server without an attachment cache refuses (400, 40014).
 */
export const NTFY_MAX_MESSAGE_BYTES = 4095;
/** ntfy reads at most twice its message limit of a JSON publish; at 8,192 bytes it answers 413 (41303). */
const NTFY_MAX_JSON_BYTES = 8191;
/** JSON writes a control character as \u00XX: six bytes for one. */
const MAX_JSON_ESCAPE_BYTES = 6;
const TRUNCATION_MARK = '\n… [truncated]';

/** ntfy's own 429 codes: request burst used up, and daily message quota reached. */
const NTFY_CODE_TOO_MANY_REQUESTS = 42901;
const NTFY_CODE_DAILY_QUOTA = 42908;
/** ntfy.sh refills one request every 5 s: never come back sooner than this after a 429. */
const MIN_RATE_LIMIT_BACKOFF_MS = 10_000;
const DAILY_QUOTA_BACKOFF_MS = 60 * 60 * 1000;

export interface NtfyClientOptions {
  /** Server root, e.g. https://ntfy.sh. Messages are POSTed here as JSON, not to /topic. */
  baseUrl: string;
  /** Default topic for notifications that name none. */
  topic: string;
  /** Access token, sent as `Authorization: Bearer …`. */
  token?: string;
  /** Whole-request timeout in ms (default 10 s). */
  timeoutMs?: number;
  /** Keep-alive sockets per origin (default 32). */
  maxSockets?: number;
  /** Wait before findRecent's one retry of a poll ntfy answered with a 5xx (default 250 ms). */
  lookupRetryDelayMs?: number;
}

/**
 * Publishes notifications to an ntfy server over node:http(s) with a
 * keep-alive agent. Measured on a 2-core machine: about 7,900 requests/s
 * against Node 20's fetch at about 2,500 (see the issue note), hence not fetch.
 *
 * Messages of 4,096 bytes or more (ntfy would take them for attachments), or
 * whose JSON would reach ntfy's 8,192-byte limit, are cut at a UTF-8
 * character boundary and end with "… [truncated]"; the delivery reports
 * `truncated: true` and the full text stays in the message store.
 *
 * Answers are read with a bound ({@link NTFY_MAX_ANSWER_BYTES}: a whole
 * publish answer, or one line of a poll), so no server can make the client
 * hold more; a longer answer is a transient failure.
 *
 * {@link NtfyClient.findRecent} reads ntfy's message cache back (the poll
 * API) so an interrupted delivery can be recognised instead of re-sent.
 *
 * @example
 * const ntfy = new NtfyClient({ baseUrl: 'https://ntfy.sh', topic: 'my-rez-alerts' });
 * const { id } = await ntfy.publish({ title: 'Backup', message: 'done', priority: 3 });
 */
export class NtfyClient implements Notifier {
  readonly #url: URL;
  /** node:http(s), loaded and given a keep-alive agent on the first request (not at cold start). */
  #transport: Promise<{ agent: http.Agent; request: typeof http.request }> | undefined;
  readonly #options: NtfyClientOptions;

  constructor(options: NtfyClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch (cause) {
      const shown = redactUrlCredentials(options.baseUrl);
      throw new NtfyError(`ntfy base URL "${shown}" is not a URL`, 'permanent', { cause });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      const shown = redactUrlCredentials(options.baseUrl);
      throw new NtfyError(`ntfy base URL must be http(s), got "${shown}"`, 'permanent');
    }
    this.#url = url;
    this.#options = options;
  }

  get topic(): string {
    return this.#options.topic;
  }

  async publish(notification: Notification): Promise<Delivery> {
    const { body, truncated } = publishBody(notification, notification.topic ?? this.#options.topic);
    const response = await this.#send('POST', this.#url, body, wholeAnswer);
    if (response.body === null) throw oversize('POST', response.status, response.retryAfter);
    if (response.status >= 200 && response.status < 300) {
      const id = parseJson(response.body)?.id;
      if (!isNtfyId(id)) {
        // ntfy took the request and said something other than its usual answer: the
        // push may well exist, so whoever retries must look for it first (findRecent).
        const what = response.body.trim() ? 'without a usable message id' : 'with an empty body';
        throw new NtfyError(`ntfy answered ${response.status} ${what}`, 'transient', {
          status: response.status,
          effectUnknown: true,
        });
      }
      return { id, truncated };
    }
    throw classify(response.status, response.body, response.retryAfter);
  }

  /**
   * Looks in ntfy's message cache for this exact notification published since
   * `since`: GET `<baseUrl>/<topic>/json?poll=1&since=<unix seconds>` (ntfy's
   * poll API; one JSON object per line), matching topic, message, title,
   * priority (unset = 3, as ntfy treats it) and tags in the form ntfy caches
   * them (trimmed, tags split at commas, the message cut exactly as
   * {@link publish} cuts it). Answers the earliest match as a Delivery, or null. Errors
   * are classified like publish's; an answer that is not JSON lines is
   * transient (a proxy's error page must not read as "not found").
   *
   * Limits: a server with the message cache disabled (`cache-duration: 0`)
   * or a cache shorter than the time since `since` answers nothing, so the
   * caller publishes again; and a notification identical in those fields,
   * published to the topic by anyone else since `since`, is found as ours;
   * a title holding an RFC 2047 encoded word (`=?UTF-8?B?…?=`), which ntfy
   * decodes, is not found, so that one is published again.
   * The token needs read access to the topic as well as write: a write-only
   * token makes every lookup fail (403, permanent), so an interrupted
   * message is retried into the DLQ rather than sent again blindly.
   * A 5xx is tried once more after `lookupRetryDelayMs`; a 429 never is.
   * The answer is read line by line and no further than the first match; a
   * line over {@link NTFY_MAX_ANSWER_BYTES} is transient.
   */
  async findRecent(notification: Notification, since: Date): Promise<Delivery | null> {
    const topic = notification.topic ?? this.#options.topic;
    const { text, truncated, title, tags } = publishBody(notification, topic);
    const base = this.#url.href.endsWith('/') ? this.#url.href : `${this.#url.href}/`;
    const seconds = Math.max(0, Math.floor(since.getTime() / 1000));
    const url = new URL(`${encodeURIComponent(topic)}/json?poll=1&since=${seconds}`, base);
    const wanted = { title, priority: notification.priority ?? 3, tags: tags ?? [] };
    let found: Delivery | null = null;
    const matches = (line: string): boolean => {
      if (!line.trim()) return false;
      const event = parseJson(line);
      if (!event) {
        const what = `ntfy answered the poll with a line that is not JSON: ${line.slice(0, 100)}`;
        throw new NtfyError(what, 'transient', { status: 200 });
      }
      if (
        event.event === 'message' &&
        isNtfyId(event.id) &&
        event.topic === topic &&
        event.message === text &&
        ((typeof event.title === 'string' && event.title) || undefined) === wanted.title &&
        (typeof event.priority === 'number' ? event.priority : 3) === wanted.priority &&
        sameTags(event.tags, wanted.tags)
      ) {
        found = { id: event.id, truncated };
        return true;
      }
      return false;
    };
    const poll = () =>
      this.#send<Answer>('GET', url, undefined, (answer, head, done, fail) => {
        if (head.status < 200 || head.status >= 300) return wholeAnswer(answer, head, done, fail);
        readLines(
          answer,
          NTFY_MAX_ANSWER_BYTES,
          matches,
          (outcome) => {
            if (outcome !== 'oversize') return done({ ...head, body: '' });
            const what = `ntfy answered the poll with a line over ${NTFY_MAX_ANSWER_BYTES} bytes; stopped reading`;
            fail(new NtfyError(what, 'transient', { status: head.status }));
          },
          fail,
        );
      });
    let response = await poll();
    if (response.status >= 500) {
      // A poll is a read: one more try after a server error costs nothing, and every
      // failed lookup costs the message one of its receives. Never after a 429.
      await new Promise((resolve) => setTimeout(resolve, this.#options.lookupRetryDelayMs ?? 250));
      response = await poll();
    }
    if (response.body === null) throw oversize('GET', response.status, response.retryAfter);
    if (response.status < 200 || response.status >= 300)
      throw classify(response.status, response.body, response.retryAfter);
    return found;
  }

  /** Closes idle keep-alive sockets (call on shutdown). */
  close(): void {
    void this.#transport?.then(({ agent }) => agent.destroy());
  }

  /**
   * One request. `read` consumes the answer (with a bound) and hands its
   * result to `done` (or a failure to `fail`); until then the whole-exchange
   * timeout applies. Any failure after the request was fully sent, short of
   * a complete answer, has an unknown effect.
   */
  #connect(): Promise<{ agent: http.Agent; request: typeof http.request }> {
    this.#transport ??= (this.#url.protocol === 'https:' ? import('node:https') : import('node:http')).then(
      (module) => ({
        agent: new module.Agent({ keepAlive: true, maxSockets: this.#options.maxSockets ?? 32 }),
        request: module.request,
      }),
    );
    return this.#transport;
  }

  async #send<T>(
    method: 'GET' | 'POST',
    url: URL,
    body: string | undefined,
    read: AnswerReader<T>,
  ): Promise<T> {
    const { agent, request: send } = await this.#connect();
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const headers: Record<string, string | number> =
      body === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (this.#options.token) headers.authorization = `Bearer ${this.#options.token}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        done();
      };
      // Once the whole request is on the wire, a missing answer no longer means "not delivered".
      let sent = false;
      const request = send(url, { method, agent, headers }, (answer) => {
        const head = { status: answer.statusCode ?? 0, retryAfter: answer.headers['retry-after'] };
        read(
          answer,
          head,
          (value) => settle(() => resolve(value)),
          (cause) =>
            settle(() =>
              reject(
                cause instanceof NtfyError
                  ? cause
                  : new NtfyError(
                      `ntfy's answer broke off: ${cause instanceof Error ? cause.message : String(cause)}`,
                      'transient',
                      { cause, status: head.status, effectUnknown: sent },
                    ),
              ),
            ),
        );
      });
      request.on('finish', () => {
        sent = true;
      });
      const timer = setTimeout(() => {
        const error = new NtfyError(`ntfy did not answer within ${timeoutMs} ms`, 'transient', {
          effectUnknown: sent,
        });
        settle(() => reject(error));
        request.destroy(error);
      }, timeoutMs);
      request.on('error', (cause) =>
        settle(() =>
          reject(
            cause instanceof NtfyError
              ? cause
              : new NtfyError(
                  sent
                    ? `lost the connection to ntfy at ${this.#url.origin} before its answer: ${cause.message}`
                    : `cannot reach ntfy at ${this.#url.origin}: ${cause.message}`,
                  'transient',
                  { cause, effectUnknown: sent },
                ),
          ),
        ),
      );
      request.end(body);
    });
  }
}

/** Status line and headers of an answer, before its body is read. */
interface AnswerHead {
  status: number;
  retryAfter: string | undefined;
}

/** An answer read whole: its body is `null` when it was longer than the bound. */
interface Answer extends AnswerHead {
  body: string | null;
}

type AnswerReader<T> = (
  answer: http.IncomingMessage,
  head: AnswerHead,
  done: (value: T) => void,
  fail: (cause: unknown) => void,
) => void;

/** Reads the answer whole, up to the bound. */
const wholeAnswer: AnswerReader<Answer> = (answer, head, done, fail) =>
  readBody(
    answer,
    NTFY_MAX_ANSWER_BYTES,
    (body) => done({ status: head.status, retryAfter: head.retryAfter, body }),
    fail,
  );

/** ntfy's message ids: short runs of letters and digits (`-` and `_` allowed here). */
function isNtfyId(value: unknown): value is string {
  return typeof value === 'string' && /^[-_A-Za-z0-9]{1,64}$/.test(value);
}

/**
 * An answer longer than ntfy ever sends: not ntfy's own verdict (a proxy's
 * page, a broken server), so transient whatever the status — except that a
 * 429 still waits out its Retry-After. A publish's effect is then unknown:
 * nothing in the answer was read.
 */
function oversize(method: 'GET' | 'POST', status: number, retryAfter: string | undefined): NtfyError {
  if (status === 429) return classify(429, '', retryAfter);
  const what = `ntfy answered ${status} with more than ${NTFY_MAX_ANSWER_BYTES} bytes; stopped reading`;
  if (method === 'GET') return new NtfyError(what, 'transient', { status });
  return new NtfyError(`${what} (the push may have been accepted)`, 'transient', {
    status,
    effectUnknown: true,
  });
}

function sameTags(actual: unknown, wanted: readonly string[]): boolean {
  const tags = Array.isArray(actual) ? actual : [];
  return tags.length === wanted.length && tags.every((tag, i) => tag === wanted[i]);
}

/**
 * The JSON publish of `notification`, its message cut (see {@link fitMessage})
 * so that the whole body stays under ntfy's JSON limit too: escaping can make
 * a message of quotes, backslashes or control characters far longer as JSON.
 * Where the other fields alone are too long, the body goes as it is and ntfy's
 * 413 says so.
 */
function publishBody(
  notification: Notification,
  topic: string,
): { body: string; text: string; truncated: boolean; title?: string; tags?: string[] } {
  const { message, title, tags } = asNtfyStores(notification);
  const json = (text: string) =>
    JSON.stringify({
      topic,
      message: text,
      title,
      priority: notification.priority,
      tags,
      click: notification.click,
      markdown: notification.markdown,
      actions: notification.actions?.length ? notification.actions : undefined,
    });
  let limit = NTFY_MAX_MESSAGE_BYTES;
  let fit = fitMessage(message, limit);
  let body = json(fit.text);
  for (;;) {
    const excess = Buffer.byteLength(body) - NTFY_MAX_JSON_BYTES;
    // Each byte cut shortens the JSON by one to six bytes: this converges in a few rounds.
    limit -= Math.ceil(excess / MAX_JSON_ESCAPE_BYTES);
    if (excess <= 0 || limit <= Buffer.byteLength(TRUNCATION_MARK)) return { body, ...fit, title, tags };
    fit = fitMessage(message, limit);
    body = json(fit.text);
  }
}

/** Unicode White_Space, what ntfy trims (Go's strings.TrimSpace): U+0085 is in it, U+FEFF is not, unlike String.trim. */
const GO_SPACE_EDGES =
  /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const trimAsNtfy = (text: string) => text.replace(GO_SPACE_EDGES, '');

/**
 * The text fields as ntfy will cache them, so that what the client sends is
 * what findRecent reads back (the contract suite found each against the real
 * server): message and title trimmed; a blank message is "triggered"; tags,
 * which ntfy passes on as one comma-separated header, trimmed as a whole,
 * split at commas and each trimmed (["a,b", " "] is cached as ["a", "b", ""]).
 */
function asNtfyStores(notification: Notification): { message: string; title?: string; tags?: string[] } {
  const joined = trimAsNtfy((notification.tags ?? []).join(','));
  const tags = joined ? joined.split(',').filter(Boolean).map(trimAsNtfy) : [];
  return {
    message: trimAsNtfy(notification.message) || 'triggered',
    title: trimAsNtfy(notification.title ?? '') || undefined,
    tags: tags.length ? tags : undefined,
  };
}

/** Cuts `message` to at most `maxBytes` (ntfy's limit) at a character boundary, marking the cut. */
export function fitMessage(
  message: string,
  maxBytes = NTFY_MAX_MESSAGE_BYTES,
): { text: string; truncated: boolean } {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= maxBytes) return { text: message, truncated: false };
  const room = maxBytes - Buffer.byteLength(TRUNCATION_MARK);
  let end = room;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8') + TRUNCATION_MARK, truncated: true };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Maps an ntfy error response to a classified {@link NtfyError}. */
export function classify(status: number, body: string, retryAfter?: string, now = Date.now()): NtfyError {
  const json = parseJson(body);
  const ntfyCode = typeof json?.code === 'number' ? json.code : undefined;
  const text = typeof json?.error === 'string' ? json.error : body.trim().slice(0, 300) || `HTTP ${status}`;
  if (status === 429) {
    const floor = ntfyCode === NTFY_CODE_DAILY_QUOTA ? DAILY_QUOTA_BACKOFF_MS : MIN_RATE_LIMIT_BACKOFF_MS;
    const retryAfterMs = Math.max(parseRetryAfter(retryAfter, now) ?? 0, floor);
    const what = ntfyCode === NTFY_CODE_DAILY_QUOTA ? 'daily message quota reached' : 'rate limited';
    return new NtfyError(
      `ntfy ${what} (${text}); retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      'rate_limited',
      {
        status,
        ntfyCode: ntfyCode ?? NTFY_CODE_TOO_MANY_REQUESTS,
        retryAfterMs,
      },
    );
  }
  if (status >= 500)
    return new NtfyError(`ntfy server error ${status}: ${text}`, 'transient', { status, ntfyCode });
  return new NtfyError(`ntfy rejected the message (${status}): ${text}`, 'permanent', { status, ntfyCode });
}

/** Retry-After is either delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
