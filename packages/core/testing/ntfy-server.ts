import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One publish the server accepted, as ntfy would store it. */
export interface ReceivedPush {
  id: string;
  topic: string;
  message: string;
  title?: string;
  priority?: number;
  tags?: string[];
  click?: string;
  markdown?: boolean;
  authorization?: string;
}

/** What to answer one request with; `undefined` means accept it like ntfy does. `raw` is sent as is instead of JSON. */
export type NtfyReply =
  | undefined
  | { status: number; body?: unknown; raw?: string; headers?: Record<string, string> }
  | { stall: true };

export interface NtfyTestServer {
  url: string;
  /** Accepted publishes, in arrival order (a duplicate publish shows up twice). */
  received: ReceivedPush[];
  /** Every request, accepted or not. */
  requests: number;
  /** TCP connections opened by clients: shows whether they reuse sockets. */
  connections: number;
  /**
   * Decides each reply, publishes and polls alike (`method` tells them
   * apart; a poll's `body` is empty); default accepts everything.
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

/**
 * A local HTTP server speaking ntfy's publish protocol: JSON POSTed to the
 * root, answered with the stored message (id, time, expires, event, topic,
 * …) or with ntfy's error JSON ({code, http, error, link}). It also answers
 * ntfy's poll API, GET `/<topic>/json?poll=1&since=<unix seconds|all>`, with
 * the accepted messages of that topic whose time is at or after `since`, one
 * JSON object per line, like ntfy's message cache. Binds to 127.0.0.1 on a
 * free port unless told otherwise.
 */
export async function startNtfyServer(
  options: { port?: number; delayMs?: number } = {},
): Promise<NtfyTestServer> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const state: NtfyTestServer = {
    url: '',
    received: [],
    requests: 0,
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

  /** ntfy's message cache: every accepted message as ntfy stores it, with its time. */
  const cache: Record<string, unknown>[] = [];

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const index = state.requests++;
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const url = new URL(req.url ?? '/', 'http://ntfy.test');
    const reply = async (request: { body: Record<string, unknown>; method: string; path: string }) => {
      const answer = await state.respond({
        ...request,
        index,
        search: url.search,
        authorization: req.headers.authorization,
      });
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
    const poll = /^\/([-_A-Za-z0-9]{1,64})\/json$/.exec(url.pathname);
    if (req.method === 'GET' && poll) {
      const since = url.searchParams.get('since') ?? 'all';
      if (url.searchParams.get('poll') !== '1' || !/^(all|\d+)$/.test(since)) {
        return send(400, {
          code: 40000,
          http: 400,
          error: 'invalid request: only poll=1&since=<unix>|all here',
          link: '',
        });
      }
      if (await reply({ body: {}, method: 'GET', path: url.pathname })) return;
      const from = since === 'all' ? 0 : Number(since);
      const lines = cache
        .filter((m) => m.topic === poll[1] && (m.time as number) >= from)
        .map((m) => `${JSON.stringify(m)}\n`);
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      return res.end(lines.join(''));
    }
    if (req.method !== 'POST' || req.url !== '/') {
      return send(404, { code: 40401, http: 404, error: 'page not found', link: '' });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(400, { code: 40024, http: 400, error: 'invalid request: body must be JSON', link: '' });
    }
    if (typeof body.topic !== 'string' || !/^[-_A-Za-z0-9]{1,64}$/.test(body.topic)) {
      return send(400, { code: 40009, http: 400, error: 'invalid request: topic invalid', link: '' });
    }
    if (await reply({ body, method: 'POST', path: url.pathname })) return;
    const id = randomBytes(6).toString('base64url');
    const push: ReceivedPush = {
      id,
      topic: body.topic,
      message: String(body.message ?? ''),
      title: body.title as string | undefined,
      priority: body.priority as number | undefined,
      tags: body.tags as string[] | undefined,
      click: body.click as string | undefined,
      markdown: body.markdown as boolean | undefined,
      authorization: req.headers.authorization,
    };
    state.received.push(push);
    const time = Math.floor(Date.now() / 1000);
    // As ntfy keeps it: unset fields are left out (JSON.stringify drops undefined).
    const stored = {
      id,
      time,
      expires: time + 43_200,
      event: 'message',
      topic: push.topic,
      message: push.message,
      title: push.title || undefined,
      priority: push.priority,
      tags: push.tags,
      click: push.click,
      content_type: push.markdown ? 'text/markdown' : undefined,
    };
    cache.push(stored);
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
