#!/usr/bin/env node
// Local pipeline throughput: N messages published durably (store record + SQLite
// bus, the same submitMessage the CLI and scheduler use), delivered by the
// runtime's poller → worker handler → ntfy client to an ntfy-protocol server on
// 127.0.0.1 running in a child process (so server and pipeline each get a core).
// Reports messages/s from first publish to the last acknowledged delivery, and
// p50/p99 publish→delivery latency. Baseline in the same run: the same NtfyClient
// (keep-alive node:http) posting straight at the same server. Both measure a
// fresh runtime's first N, V8's compilation included: `npm run bench --
// local-pipeline` reports that and the steady state after it.
//
//   node scripts/build.mjs && node bench/local-throughput.mjs [--n 10000] [--batches 8] [--synchronous NORMAL|FULL] [--producers 50]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const now = () => performance.timeOrigin + performance.now();

if (process.argv.includes('--ntfy-server')) runServer();
else await main();

/** Child: accepts ntfy JSON publishes, remembers when each message text arrived. */
function runServer() {
  const arrivals = new Map();
  let id = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (!arrivals.has(body.message)) arrivals.set(body.message, now());
      const out = JSON.stringify({
        id: `m${++id}`,
        time: Math.floor(Date.now() / 1000),
        event: 'message',
        topic: body.topic,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (msg) => {
    if (msg === 'arrivals') process.send({ arrivals: [...arrivals], requests: id });
    if (msg === 'reset') arrivals.clear();
    if (msg === 'exit') server.close(() => process.exit(0));
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '10000' },
      batches: { type: 'string', default: '8' },
      synchronous: { type: 'string', default: 'NORMAL' },
      producers: { type: 'string', default: '50' },
    },
  });
  const N = Number(values.n);
  const { build } = await import('esbuild');
  const { nodeProgramOptions } = await import('../scripts/bundle-options.mjs');
  const work = mkdtempSync(path.join(tmpdir(), 'rez-bench-'));
  // Next to node_modules, so the bundle's external packages resolve.
  const bundle = path.join(here, '../packages/local/dist/bench/local.cjs');
  await build({
    stdin: {
      contents: "export * from './packages/local/src/index.ts'; export * as core from '@rez/core';",
      resolveDir: path.join(here, '..'),
      loader: 'ts',
    },
    outfile: bundle,
    ...nodeProgramOptions(path.join(here, '..')),
  });
  const { createRequire } = await import('node:module');
  const local = createRequire(path.join(here, '../package.json'))(bundle);
  const { core } = local;

  const server = fork(fileURLToPath(import.meta.url), ['--ntfy-server'], { stdio: 'inherit' });
  const ask = (msg, key) =>
    new Promise((resolve) => {
      const on = (m) => {
        if (key in m) {
          server.off('message', on);
          resolve(m);
        }
      };
      server.on('message', on);
      if (msg) server.send(msg);
    });
  const { port } = await ask(null, 'port');
  const url = `http://127.0.0.1:${port}`;

  // Baseline: the ntfy client alone, as many requests in flight as the pipeline can have.
  const inFlight = Number(values.batches) * 10;
  const client = new core.NtfyClient({ baseUrl: url, topic: 'rez-bench' });
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < N) await client.publish({ message: `baseline-${next++}` });
    }),
  );
  const baseline = N / ((now() - t0) / 1000);
  client.close();
  server.send('reset');

  // Pipeline.
  const rez = await local.startLocalRuntime({
    env: {
      REZ_DATA_DIR: work,
      NTFY_BASE_URL: url,
      NTFY_LIMITS: 'none',
      NTFY_TOPIC: 'rez-bench',
      REZ_POLLER_BATCHES: values.batches,
      REZ_SQLITE_SYNCHRONOUS: values.synchronous,
    },
    scheduler: false,
    console: false,
    log: (line) => console.error(line),
  });
  const deps = {
    registry: core.builtInRegistry(),
    clock: core.systemClock,
    ids: core.ulidGenerator(),
    store: rez.store,
    bus: rez.publisher,
  };
  // Producers: `--producers` submits in flight at once (each resolves once durable), like
  // concurrent console/API requests; group commit batches their writes.
  const published = new Array(N);
  const start = now();
  let nextMessage = 0;
  await Promise.all(
    Array.from({ length: Number(values.producers) }, async () => {
      while (nextMessage < N) {
        const i = nextMessage++;
        published[i] = now();
        await core.submitMessage(
          { type: 'notify', payload: { message: `bench-${i}` }, created_by: 'bench', stage: 'dev' },
          deps,
        );
      }
    }),
  );
  const publishedAt = now();
  for (;;) {
    const [counts] = await rez.store
      .counts({ since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 600_000) })
      .then((b) => [b.reduce((sum, x) => sum + x.completed, 0)]);
    if (counts >= N) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const end = now();
  const { arrivals, requests } = await ask('arrivals', 'arrivals');
  await rez.stop();
  server.send('exit');
  rmSync(work, { recursive: true, force: true });

  const byText = new Map(arrivals);
  const latencies = published.map((t, i) => byText.get(`bench-${i}`) - t).sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const rate = N / ((end - start) / 1000);
  const result = {
    n: N,
    batchesInFlight: Number(values.batches),
    synchronous: values.synchronous,
    producers: Number(values.producers),
    publishSeconds: +((publishedAt - start) / 1000).toFixed(3),
    totalSeconds: +((end - start) / 1000).toFixed(3),
    messagesPerSecond: Math.round(rate),
    latencyMs: { p50: +pct(50).toFixed(1), p99: +pct(99).toFixed(1), max: +latencies.at(-1).toFixed(1) },
    baselineNtfyClientRequestsPerSecond: Math.round(baseline),
    ratioToBaseline: +(rate / baseline).toFixed(2),
    ntfyRequests: requests,
    missing: latencies.filter(Number.isNaN).length,
  };
  console.log(JSON.stringify(result, null, 2));
}
