/**
 * The console over the SQLite store: p95 latency of the dashboard (`/`) and
 * the history (`/messages`) through app.inject, with 1,000 and with
 * 1,000,000 stored messages (target < 50 ms), and `/` requests/s beside a
 * bare Fastify route answering the same way (inject, same concurrency).
 * The 1M rows are seeded straight into the store's tables — one transaction,
 * prepared statements — with the count aggregates the dashboard reads.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COUNT_BUCKET_MS, ulidGenerator } from '@rez/core';
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
