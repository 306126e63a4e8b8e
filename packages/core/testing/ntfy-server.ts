import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { NtfyLimits } from './ntfy-contract';
import {
  type CachedMessage,
  cacheForm,
  NTFY_ERRORS,
  type NtfyAction,
  type NtfyErrorBody,
  readPublish,
  readSince,
  type Since,
  Visitor,
} from './ntfy-rules';

/** One publish the server accepted, as ntfy cached it. */
export interface ReceivedPush {
  id: string;
  topic: string;
  message: string;
  title?: string;
  priority?: number;
  tags?: string[];
  click?: string;
  markdown?: boolean;
  actions?: NtfyAction[];
  authorization?: string;
}

/** What to answer one request with; `undefined` means accept it like ntfy does. `raw` is sent as is instead of JSON. */
export type NtfyReply =
  | undefined
  | { status: number; body?: unknown; raw?: string; headers?: Record<string, string> }
  | { stall: true };

/** What a token may do, on every topic (ntfy's `ntfy access USER '*' PERMISSION`). */
export type NtfyPermission = 'read-write' | 'read-only' | 'write-only' | 'deny-all';

export interface NtfyServerOptions {
  /** Default: a free port. */
  port?: number;
  /** Milliseconds to wait before answering every request. */
  delayMs?: number;
  /**
   * Access control like ntfy's auth-file: a token it does not know is refused
   * (401), and a request without one may do `defaultAccess` (default
   * 'deny-all', a 403). Without this option nothing is checked and any token
   * is ignored, as on an ntfy without auth-file.
   */
  auth?: { tokens: Record<string, NtfyPermission>; defaultAccess?: NtfyPermission };
  /** ntfy's rate limits per client IP (429 with 42901 or 42908, no Retry-After). Default: none. */
  limits?: NtfyLimits;
}

export interface NtfyTestServer {
  url: string;
  /** Accepted publishes, in arrival order (a duplicate publish shows up twice). */
  received: ReceivedPush[];
  /** Every request, accepted or not. */
  requests: number;
  /**
   * Every answer, in order: when (epoch ms), to which method, with which
   * status and ntfy error code — what a test of pacing looks at (a 429, and
   * what came after it).
   */
  answers: { at: number; method: string; status: number; code?: number }[];
  /** TCP connections opened by clients: shows whether they reuse sockets. */
  connections: number;
  /**
   * Decides each reply before ntfy's own rules do, publishes and polls alike
   * (`method` tells them apart; a poll's `body` is empty); default accepts
   * everything. Asked once the token is known good (with `auth`), and for a
   * publish once its body reads as JSON with a valid topic.
   */
  respond: (request: {
    body: Record<string, unknown>;
    index: number;
    method: string;
    path: string;
    /** The query string, with its `?` (empty when none). */
    search: string;
    authorization?: string;
  }) => NtfyReply | Promise<NtfyReply>;
  /** Milliseconds to wait before answering every request. */
  delayMs: number;
  /** Resolves once `count` pushes have been accepted (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  close(): Promise<void>;
}

const POLL_PATH = /^\/([-_A-Za-z0-9]{1,64})\/json$/;

/**
 * A local HTTP server speaking ntfy's protocol as Rez uses it, held to the
 * real ntfy by the contract suite (ntfy-contract.ts, run against both): JSON
 * POSTed to the root, checked and cached as ntfy does (ids, trimming, tags,
 * actions, the size limits; see ntfy-rules.ts) and answered with the cached
 * message or with ntfy's error JSON ({code, http, error, link}); and ntfy's
 * poll API, GET `/<topic>/json?poll=1&since=…` (since: all, latest, none, a
 * message id, unix seconds or a duration), one JSON object per line. Auth and
 * rate limits are opt-in ({@link NtfyServerOptions}). It does not stream
 * subscriptions, store attachments, or decode RFC 2047 titles. Binds to
 * 127.0.0.1 on a free port unless told otherwise.
 */
export async function startNtfyServer(options: NtfyServerOptions = {}): Promise<NtfyTestServer> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  const state: NtfyTestServer = {
    url: '',
    received: [],
    requests: 0,
    answers: [],
    connections: 0,
    respond: () => undefined,
    delayMs: options.delayMs ?? 0,
    waitFor(count, timeoutMs = 10_000) {
      if (state.received.length >= count) return Promise.resolve(state.received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `ntfy test server got ${state.received.length} of ${count} pushes in ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(state.received);
          },
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  /** ntfy's message cache, in the order it was written (the position is ntfy's row id). */
  const cache: CachedMessage[] = [];
  const visitors = new Map<string, Visitor>();
  const visitor = (ip: string) => {
    if (!options.limits) return undefined;
    const known = visitors.get(ip);
    if (known) return known;
    const v = new Visitor(options.limits);
    visitors.set(ip, v);
    return v;
  };
  /** What the request's credentials may do, or the 401 for a token ntfy does not know. */
  const access = (authorization: string | undefined): NtfyPermission | NtfyErrorBody => {
    if (!options.auth) return 'read-write';
    const token = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1]?.trim();
    if (!authorization?.trim()) return options.auth.defaultAccess ?? 'deny-all';
    return (token && options.auth.tokens[token]) || NTFY_ERRORS.unauthorized;
  };
  const may = (permission: NtfyPermission, what: 'read' | 'write') =>
    permission === 'read-write' || permission === `${what}-only`;

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const index = state.requests++;
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const code = (body as { code?: unknown } | null)?.code;
      state.answers.push({
        at: Date.now(),
        method: req.method ?? '',
        status,
        ...(typeof code === 'number' && status >= 400 ? { code } : {}),
      });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const fail = (body: NtfyErrorBody) => send(body.http, body);
    const url = new URL(req.url ?? '/', 'http://ntfy.test');
    const authorization = req.headers.authorization;
    const reply = async (request: { body: Record<string, unknown>; method: string; path: string }) => {
      const answer = await state.respond({ ...request, index, search: url.search, authorization });
      if (answer && 'stall' in answer) return 'stalled'; // never answers: the client's timeout must fire
      if (!answer) return undefined;
      if (answer.raw !== undefined) {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.raw);
      } else {
        send(
          answer.status,
          answer.body ?? { code: answer.status * 100, http: answer.status, error: 'error' },
          answer.headers,
        );
      }
      return 'answered';
    };
    // ntfy's order: credentials, the request, the request budget, access, then the message's own checks.
    const permission = access(authorization);
    const limits = visitor(req.socket.remoteAddress ?? '');

    const poll = POLL_PATH.exec(url.pathname);
    if (req.method === 'GET' && poll) {
      if (typeof permission !== 'string') return fail(permission);
      if (await reply({ body: {}, method: 'GET', path: url.pathname })) return;
      if (limits && !limits.requestAllowed()) return fail(NTFY_ERRORS.tooManyRequests);
      if (!may(permission, 'read')) return fail(NTFY_ERRORS.forbidden);
      if (!['1', 'yes', 'true'].includes(url.searchParams.get('poll') ?? '')) {
        return send(400, { code: 40000, http: 400, error: 'invalid request: only polling (poll=1) here' });
      }
      const since = readSince(url.searchParams.get('since'));
      if (!since) return fail(NTFY_ERRORS.since);
      const lines = selectCached(cache, poll[1], since).map((m) => `${JSON.stringify(m)}\n`);
      state.answers.push({ at: Date.now(), method: 'GET', status: 200 });
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      return res.end(lines.join(''));
    }
    if (req.method !== 'POST' || url.pathname !== '/') return fail(NTFY_ERRORS.notFound);
    if (typeof permission !== 'string') return fail(permission);
    const read = readPublish(Buffer.concat(chunks));
    if ('error' in read) return fail(read.error);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    if (await reply({ body, method: 'POST', path: url.pathname })) return;
    if (limits && !limits.requestAllowed()) return fail(NTFY_ERRORS.tooManyRequests);
    if (!may(permission, 'write')) return fail(NTFY_ERRORS.forbidden);
    if (read.late) return fail(read.late);
    if (limits && !limits.messageAllowed()) return fail(NTFY_ERRORS.dailyQuota);
    if (read.tooLarge) return fail(NTFY_ERRORS.attachments);

    const stored = cacheForm(read.fields);
    cache.push(stored);
    const { content_type, time: _time, expires: _expires, event: _event, ...push } = stored;
    state.received.push({
      ...push,
      ...(content_type ? { markdown: true } : {}),
      ...(authorization ? { authorization } : {}),
    });
    send(200, stored);
    for (const waiter of [...waiters]) {
      if (state.received.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  server.on('connection', (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** ntfy's message cache query for one topic: by time (at or after), after a known id, the latest, or all. */
function selectCached(cache: CachedMessage[], topic: string, since: Since): CachedMessage[] {
  if ('none' in since) return [];
  const ofTopic = cache.filter((m) => m.topic === topic);
  if ('latest' in since) return ofTopic.slice(-1);
  if ('id' in since) {
    const row = cache.findIndex((m) => m.id === since.id);
    return row < 0 ? ofTopic : cache.slice(row + 1).filter((m) => m.topic === topic);
  }
  if ('time' in since) return ofTopic.filter((m) => m.time >= since.time);
  return ofTopic;
}
