/**
 * The console over the SQLite store: p95 latency of the dashboard (`/`) and
 * the history (`/messages`) through app.inject, with 1,000 and with
 * 1,000,000 stored messages (target < 50 ms), and `/` requests/s beside a
 * bare Fastify route answering the same way (inject, same concurrency).
 * The 1M rows are seeded straight into the store's tables — one transaction,
 * prepared statements — with the count aggregates the dashboard reads.
 *
 * The session check: every signed-in request reads its user's session
 * record by key (ConsoleSessionStore.consoleSessionState). Its cost: that
 * read alone against the same answer from memory, the read as a share of a
 * light signed-in page (`/messages/new`: no store reads of its own), and
 * that page with the check against the page over a store whose check
 * answers from memory (see measureSessionCheck).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COUNT_BUCKET_MS, type MessageStore, ulidGenerator } from '@rez/core';
import { openLocalPipeline } from '@rez/local';
import { build, loginCookie } from '@rez/web/testing';
import Fastify, { type FastifyInstance } from 'fastify';

/** The test console's clock (@rez/web/testing): seeded messages lead up to it. */
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const SAMPLES = 300;
const RATE_MS = 3000;
const IN_FLIGHT = 8;

function seed(db: ReturnType<typeof openLocalPipeline>['db'], count: number): void {
  const ids = ulidGenerator();
  const insert = db.prepare(
    `INSERT INTO messages (id, sort_key, type, stage, created_by, created_date, correlation_id, causation_id, hop,
       payload, raw, status, attempts, error, result, ntfy_id, children, history, updated_at, lease_until)
     VALUES (?, ?, ?, 'dev', ?, ?, ?, NULL, 0, ?, NULL, ?, 1, ?, ?, ?, '[]', ?, ?, NULL)`,
  );
  const upsertCount = db.prepare(
    `INSERT INTO message_counts (bucket, stage, type, created, completed, failed) VALUES (?, 'dev', ?, ?, ?, ?)
     ON CONFLICT (bucket, stage, type) DO UPDATE SET created = created + excluded.created,
       completed = completed + excluded.completed, failed = failed + excluded.failed`,
  );
  const creators = ['cli:ana', 'web:ana@example.com', 'scheduler:hello-world', 'handler:hello_world'];
  const counts = new Map<
    string,
    { bucket: number; type: string; created: number; completed: number; failed: number }
  >();
  // Spread over 30 days before NOW, oldest first.
  const span = 30 * 86_400_000;
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const time = NOW - span + Math.floor((i / count) * span);
      const id = ids.next(time);
      const at = new Date(time).toISOString();
      const type = i % 10 === 0 ? 'hello_world' : 'notify';
      const status = i % 20 === 0 ? 'failed' : i % 50 === 1 ? 'queued' : 'completed';
      insert.run(
        id,
        `${at}#${id}`,
        type,
        creators[i % 97 === 0 ? 2 : i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : 3],
        at,
        id,
        JSON.stringify({ message: `seeded message ${i}` }),
        status,
        status === 'failed'
          ? JSON.stringify({ code: 'NTFY_UNAVAILABLE', reason: 'seeded failure', permanent: false })
          : null,
        status === 'completed' ? JSON.stringify({ ntfy_id: `n${i}`, truncated: false }) : null,
        status === 'completed' ? `n${i}` : null,
        JSON.stringify([{ status: 'queued', at }]),
        at,
      );
      const bucket = Math.floor(time / COUNT_BUCKET_MS) * COUNT_BUCKET_MS;
      const key = `${bucket}|${type}`;
      const c = counts.get(key) ?? { bucket, type, created: 0, completed: 0, failed: 0 };
      c.created++;
      if (status === 'completed') c.completed++;
      if (status === 'failed') c.failed++;
      counts.set(key, c);
    }
    for (const c of counts.values()) upsertCount.run(c.bucket, c.type, c.created, c.completed, c.failed);
  })();
}

async function p95(app: FastifyInstance, url: string, cookie: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES + 20; i++) {
    const started = performance.now();
    const response = await app.inject({ url, headers: { cookie } });
    const ms = performance.now() - started;
    if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}`);
    if (i >= 20) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length * 0.95)];
}

/** `store` with the session check answered from memory (no read): the "without the check" baseline. */
function withoutSessionRead(store: MessageStore): MessageStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'consoleSessionState') return async () => ({ epoch: 0, revoked: {} });
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface SessionCheckFigures {
  /** The read alone: µs per consoleSessionState on the SQLite store, and per answer from memory. */
  readUs: number;
  memoryUs: number;
  /** Mean µs per request of a light signed-in page, with the check and with it answered from memory. */
  withUs: number;
  withoutUs: number;
}

/** Requests per side: alternating blocks of BLOCK, so drift on a shared machine falls on both alike. */
const PAGE_REQUESTS = 6_000;
const BLOCK = 200;

async function perCallUs(call: () => Promise<unknown>, calls = 20_000): Promise<number> {
  for (let i = 0; i < 1_000; i++) await call();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await call();
  return ((performance.now() - started) * 1000) / calls;
}

/**
 * The session check's cost: the read by key alone, and a light signed-in
 * page (`/messages/new`, no store reads of its own) with the check against
 * the same page over a store whose check answers from memory, requested
 * one at a time in alternating blocks (ABBA). On a shared machine the page
 * comparison is noisy — two apps running identical code differed by 10–50%
 * in one run — far more than the read itself costs; the read alone, against
 * the page's own time, is the steadier figure.
 */
async function measureSessionCheck(
  pipeline: ReturnType<typeof openLocalPipeline>,
  progress: (m: string) => void,
): Promise<SessionCheckFigures> {
  const memory = withoutSessionRead(pipeline.store);
  const readUs = await perCallUs(() => pipeline.store.consoleSessionState('ana@example.com'));
  const memoryUs = await perCallUs(() => memory.consoleSessionState('ana@example.com'));
  // Two fresh apps, built alike but for the store's check, so neither carries the other's history.
  const checked = await build({
    store: pipeline.store,
    queue: pipeline.queue,
    publisher: pipeline.publisher,
  });
  const bare = await build({ store: memory, queue: pipeline.queue, publisher: pipeline.publisher });
  const sides = [
    { app: checked.app, cookie: loginCookie(checked), ms: 0 },
    { app: bare.app, cookie: loginCookie(bare), ms: 0 },
  ];
  const light = '/messages/new';
  try {
    for (const side of sides)
      for (let i = 0; i < BLOCK; i++) await side.app.inject({ url: light, headers: { cookie: side.cookie } });
    for (let done = 0; done < PAGE_REQUESTS; done += BLOCK) {
      // ABBA: each side goes first in every other round, so going first or second weighs on both.
      for (const side of (done / BLOCK) % 2 === 0 ? sides : [...sides].reverse()) {
        const started = performance.now();
        for (let i = 0; i < BLOCK; i++) {
          const response = await side.app.inject({ url: light, headers: { cookie: side.cookie } });
          if (response.statusCode !== 200) throw new Error(`GET ${light} answered ${response.statusCode}`);
        }
        side.ms += performance.now() - started;
      }
    }
  } finally {
    await checked.app.close();
    await bare.app.close();
  }
  const [withUs, withoutUs] = sides.map((side) => (side.ms * 1000) / PAGE_REQUESTS);
  progress(
    `session check: read ${readUs.toFixed(1)} µs (memory ${memoryUs.toFixed(1)} µs); ${light} ${withUs.toFixed(0)} vs ${withoutUs.toFixed(0)} µs a request`,
  );
  return { readUs, memoryUs, withUs, withoutUs };
}

async function rate(app: FastifyInstance, url: string, headers: Record<string, string>): Promise<number> {
  let done = 0;
  const until = performance.now() + RATE_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        const response = await app.inject({ url, headers });
        if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}`);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

export async function run({ progress, root }: { progress: (m: string) => void; root: string }) {
  // The console finds its views beside its code; here that is the bundle's folder (bench/.build).
  cpSync(path.join(root, 'packages/web/src/views'), path.join(__dirname, 'views'), { recursive: true });
  const rows = [];
  const results: Record<number, { dashboard: number; history: number; rate: number }> = {};
  let sessionCheck: SessionCheckFigures | undefined;
  for (const count of [1_000, 1_000_000]) {
    const dir = mkdtempSync(path.join(tmpdir(), 'rez-bench-console-'));
    const pipeline = openLocalPipeline({
      dbFile: path.join(dir, 'rez.db'),
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 30,
    });
    try {
      const seeding = performance.now();
      seed(pipeline.db, count);
      progress(
        `seeded ${count.toLocaleString('en')} messages in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
      );
      const t = await build({ store: pipeline.store, queue: pipeline.queue, publisher: pipeline.publisher });
      const cookie = loginCookie(t);
      try {
        const dashboard = await p95(t.app, '/', cookie);
        const history = await p95(t.app, '/messages', cookie);
        const perSecond = await rate(t.app, '/', { cookie });
        results[count] = { dashboard, history, rate: perSecond };
        progress(
          `${count.toLocaleString('en')} messages: / p95 ${dashboard.toFixed(1)} ms, /messages p95 ${history.toFixed(1)} ms, / ${perSecond.toFixed(0)} req/s`,
        );
        if (count === 1_000) sessionCheck = await measureSessionCheck(pipeline, progress);
      } finally {
        await t.app.close();
      }
    } finally {
      pipeline.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const bare = Fastify();
  bare.get('/bare', async (_request, reply) => reply.type('text/html').send('<!doctype html><p>ok</p>'));
  await bare.ready();
  const bareP95 = await p95(bare, '/bare', '');
  const bareRate = await rate(bare, '/bare', {});
  await bare.close();
  progress(`bare Fastify route: ${bareRate.toFixed(0)} req/s`);

  for (const [page, key] of [
    ['dashboard /', 'dashboard'],
    ['history /messages', 'history'],
  ] as const) {
    const small = results[1_000][key];
    const large = results[1_000_000][key];
    rows.push({
      name: `console ${page} p95, 1,000 stored`,
      value: small,
      unit: 'ms',
      baseline: { name: 'bare Fastify route p95', value: bareP95 },
      ratio: small / bareP95,
      target: '< 50 ms',
      met: small < 50,
    });
    rows.push({
      name: `console ${page} p95, 1,000,000 stored`,
      value: large,
      unit: 'ms',
      baseline: { name: 'same page, 1,000 stored', value: small },
      ratio: large / small,
      target: '< 50 ms',
      met: large < 50,
    });
  }
  if (sessionCheck) {
    rows.push({
      name: 'session check: one read by key of the user’s record (SQLite store)',
      value: sessionCheck.readUs,
      unit: 'µs',
      baseline: { name: 'the same answer from memory', value: sessionCheck.memoryUs },
      ratio: sessionCheck.readUs / sessionCheck.memoryUs,
    });
    rows.push({
      name: 'session check read, as a share of a light signed-in page (/messages/new)',
      value: sessionCheck.readUs,
      unit: 'µs',
      baseline: { name: 'the page without the read', value: sessionCheck.withoutUs },
      ratio: sessionCheck.readUs / sessionCheck.withoutUs,
    });
    rows.push({
      name: `signed-in page with the session check, /messages/new (mean of ${PAGE_REQUESTS.toLocaleString('en')})`,
      value: sessionCheck.withUs,
      unit: 'µs',
      baseline: { name: 'same page, check answered from memory', value: sessionCheck.withoutUs },
      ratio: sessionCheck.withUs / sessionCheck.withoutUs,
    });
  }
  for (const count of [1_000, 1_000_000]) {
    rows.push({
      name: `console / throughput (inject, ${IN_FLIGHT} in flight), ${count.toLocaleString('en')} stored`,
      value: results[count].rate,
      unit: 'req/s',
      baseline: { name: 'bare Fastify route', value: bareRate },
      ratio: results[count].rate / bareRate,
    });
  }
  return rows;
}
