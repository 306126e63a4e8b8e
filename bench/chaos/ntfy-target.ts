/**
 * The ntfy side of the chaos run: where the runtime delivers, with faults.
 *
 * - {@link chaosTestServer} (the default run): our ntfy test server, its
 *   `respond` hook failing requests at the {@link FAULTS} rates.
 * - {@link chaosRealNtfy} (`--real-ntfy`): the real ntfy server (built by
 *   `npm run peers:build`) behind a fault proxy on 127.0.0.1 that fails
 *   requests at the same rates and, only here, lets a publish through and
 *   then drops ntfy's answer — the push happened, the client cannot know: its
 *   recovery must find it in ntfy's real message cache. What counts as
 *   delivered at the end is read back from that cache.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type NtfyReply, startNtfyServer } from '@rez/core/testing';
import { startRealNtfy } from '../../test/peers/support/ntfy-peer';

/** Fault rates, per request. `lostAnswer` applies to the real ntfy only. */
export const FAULTS = { serverError: 0.2, rateLimited: 0.05, stall: 0.01, lostAnswer: 0.01 };

export type FaultCounts = Record<'serverError' | 'rateLimited' | 'stall' | 'rejected' | 'lostAnswer', number>;

export interface ChaosNtfy {
  /** What the run prints about it. */
  name: string;
  url: string;
  token?: string;
  /** Message texts ntfy accepted so far, in order (a duplicate shows up twice). */
  accepted: string[];
  requests(): number;
  faults: FaultCounts;
  /** The message texts ntfy holds at the end: the count that decides lost and duplicates. */
  settle(topic: string): Promise<string[]>;
  close(): Promise<void>;
}

/** One fault drawn for a request, in the same order of draws as the run has always used (seeded runs repeat). */
function drawFault(
  rng: () => number,
  body: Record<string, unknown>,
  faults: FaultCounts,
): NtfyReply | 'lose' {
  const r = rng();
  if (r < FAULTS.serverError) {
    faults.serverError++;
    const status = [500, 502, 503][Math.floor(rng() * 3)];
    return { status, body: { code: status * 100, http: status, error: 'chaos: server error' } };
  }
  if (r < FAULTS.serverError + FAULTS.rateLimited) {
    faults.rateLimited++;
    return {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { code: 42901, http: 429, error: 'limit reached' },
    };
  }
  if (r < FAULTS.serverError + FAULTS.rateLimited + FAULTS.stall) {
    faults.stall++;
    return { stall: true };
  }
  if (String(body.message ?? '').includes('POISON-400')) {
    faults.rejected++;
    return { status: 400, body: { code: 40001, http: 400, error: 'chaos: message rejected' } };
  }
  return undefined;
}

/** Our ntfy test server with faults (the default run, unchanged). */
export async function chaosTestServer(rng: () => number): Promise<ChaosNtfy> {
  const faults: FaultCounts = { serverError: 0, rateLimited: 0, stall: 0, rejected: 0, lostAnswer: 0 };
  const server = await startNtfyServer();
  server.respond = ({ body }) => drawFault(rng, body, faults) as NtfyReply;
  const accepted: string[] = [];
  return {
    name: 'the ntfy test server',
    url: server.url,
    get accepted() {
      for (let i = accepted.length; i < server.received.length; i++)
        accepted.push(server.received[i].message);
      return accepted;
    },
    requests: () => server.requests,
    faults,
    settle: async () => server.received.map((push) => push.message),
    close: () => server.close(),
  };
}

/** The real ntfy behind a fault proxy (`--real-ntfy`). */
export async function chaosRealNtfy(rng: () => number): Promise<ChaosNtfy> {
  // Limits out of the way: the faults are the proxy's; ntfy's own limits are the contract suite's business.
  const ntfy = await startRealNtfy({
    limits: { requestBurst: 1_000_000, requestReplenishSeconds: 0.001, messagesPerDay: 10_000_000 },
  });
  const faults: FaultCounts = { serverError: 0, rateLimited: 0, stall: 0, rejected: 0, lostAnswer: 0 };
  const accepted: string[] = [];
  const upstream = new URL(ntfy.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  let requests = 0;

  const proxy = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requests++;
    const raw = Buffer.concat(chunks);
    let body: Record<string, unknown> = {};
    try {
      body = req.method === 'POST' ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      // not JSON: ntfy will say so
    }
    let fault = drawFault(rng, body, faults);
    if (!fault && rng() < FAULTS.lostAnswer) {
      faults.lostAnswer++;
      fault = 'lose';
    }
    if (fault && fault !== 'lose') {
      if ('stall' in fault) return; // never answers: the client's timeout must fire
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(`${JSON.stringify(fault.body)}\n`);
      return;
    }
    const answer = await forward(agent, upstream, req, raw).catch((error: Error) => ({
      status: 502,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ code: 50200, http: 502, error: `chaos proxy: ${error.message}` })),
    }));
    if (req.method === 'POST' && answer.status === 200) {
      accepted.push(String((JSON.parse(answer.body.toString('utf8')) as { message?: unknown }).message));
    }
    if (fault === 'lose') {
      req.socket.destroy(); // ntfy took it; its answer never arrives
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  proxy.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));

  return {
    name: `the real ntfy ${ntfy.version} (${ntfy.url}) behind a fault proxy`,
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    token: ntfy.tokens.readWrite,
    accepted,
    requests: () => requests,
    faults,
    async settle(topic) {
      const response = await fetch(`${ntfy.url}/${topic}/json?poll=1&since=all`, {
        headers: { authorization: `Bearer ${ntfy.tokens.readWrite}` },
      });
      if (!response.ok) throw new Error(`ntfy answered the final poll with ${response.status}`);
      return (await response.text())
        .split('\n')
        .filter(Boolean)
        .map((line) => String((JSON.parse(line) as { message?: unknown }).message));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      agent.destroy();
      await ntfy.stop();
    },
  };
}

function forward(
  agent: http.Agent,
  upstream: URL,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 502,
            headers: { 'content-type': String(response.headers['content-type'] ?? 'application/json') },
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
