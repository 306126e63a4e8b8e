/**
 * Local pipeline throughput, ported from bench/local-throughput.mjs (the local
 * runtime's own benchmark, whose ntfy server mode this suite forks): N notify
 * messages published durably by 16 concurrent producers (submitMessage:
 * store record + SQLite bus), then
 * delivered by the runtime's poller → worker handler → ntfy client to an
 * ntfy-protocol server on 127.0.0.1 in a child process. messages/s from the
 * first publish to the last acknowledged delivery, and p50/p99
 * publish→delivery latency. Baseline: the same keep-alive NtfyClient posting
 * straight at the same server, as many requests in flight as the pipeline.
 *
 * For comparisons: BENCH_LANES=n sets the batches in flight (default 16, as
 * REZ_POLLER_BATCHES);
 * BENCH_INLINE=1 runs the worker handler on the main thread instead of the
 * runtime's worker thread.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtInRegistry, NtfyClient, submitMessage, systemClock, ulidGenerator } from '@rez/core';
import { startLocalRuntime } from '@rez/local';

const N = 10_000;
const BATCHES = Number(process.env.BENCH_LANES ?? 16);
/** Producers publishing at once. */
const PRODUCERS = 16;
const now = () => performance.timeOrigin + performance.now();

const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system;

/** CPU time (ms) a child has used so far, from /proc (Linux; NaN elsewhere). */
function serverCpu(child: ChildProcess): number {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

function ask<T>(server: ChildProcess, message: string | null, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        server.off('message', on);
        resolve(m as T);
      }
    };
    server.on('message', on);
    if (message) server.send(message);
  });
}

export async function run({ progress, root }: { progress: (m: string) => void; root: string }) {
  const server = fork(path.join(root, 'bench/local-throughput.mjs'), ['--ntfy-server'], { stdio: 'inherit' });
  const work = mkdtempSync(path.join(tmpdir(), 'rez-bench-pipeline-'));
  try {
    const { port } = await ask<{ port: number }>(server, null, 'port');
    const url = `http://127.0.0.1:${port}`;

    // Baseline: the client alone.
    const inFlight = BATCHES * 10;
    const client = new NtfyClient({ baseUrl: url, topic: 'rez-bench' });
    let next = 0;
    const t0 = now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < N) await client.publish({ message: `baseline-${next++}` });
      }),
    );
    const baseline = N / ((now() - t0) / 1000);
    const baselineCpu = cpuMicros(process.cpuUsage(cpu0)) / N;
    client.close();
    server.send('reset');
    progress(`baseline: NtfyClient alone ${baseline.toFixed(0)} req/s`);

    const rez = await startLocalRuntime({
      env: {
        REZ_DATA_DIR: work,
        NTFY_BASE_URL: url,
        NTFY_TOPIC: 'rez-bench',
        REZ_POLLER_BATCHES: String(BATCHES),
      },
      scheduler: false,
      console: false,
      workerThread: process.env.BENCH_INLINE ? false : undefined,
      log: () => {},
    });
    const deps = {
      registry: builtInRegistry(),
      clock: systemClock,
      ids: ulidGenerator(),
      store: rez.store,
      bus: rez.publisher,
    };
    // Producers publish concurrently (the console, the CLI and the scheduler are separate producers);
    // each submitMessage resolves once its record and bus row are committed.
    const published = new Array<number>(N);
    const start = now();
    const cpuStart = process.cpuUsage();
    const serverCpuStart = serverCpu(server);
    let nextMessage = 0;
    await Promise.all(
      Array.from({ length: PRODUCERS }, async () => {
        while (nextMessage < N) {
          const i = nextMessage++;
          published[i] = now();
          await submitMessage(
            { type: 'notify', payload: { message: `bench-${i}` }, created_by: 'bench', stage: 'dev' },
            deps,
          );
          if (i % 2500 === 2499) progress(`published ${i + 1}/${N}`);
        }
      }),
    );
    for (let completed = 0; completed < N; ) {
      const buckets = await rez.store.counts({
        since: new Date(Date.now() - 3_600_000),
        until: new Date(Date.now() + 600_000),
      });
      completed = buckets.reduce((sum, b) => sum + b.completed, 0);
      if (now() - start > 300_000) throw new Error(`only ${completed}/${N} delivered after 300 s`);
      if (completed < N) await new Promise((r) => setTimeout(r, 5));
    }
    const end = now();
    const pipelineCpu = cpuMicros(process.cpuUsage(cpuStart)) / N;
    const serverCpuPerMessage = ((serverCpu(server) - serverCpuStart) * 1000) / N;
    progress(
      `CPU per message: ${pipelineCpu.toFixed(0)} µs in this process (all threads), ${serverCpuPerMessage.toFixed(0)} µs in the ntfy server`,
    );
    await rez.stop();
    const { arrivals } = await ask<{ arrivals: [string, number][] }>(server, 'arrivals', 'arrivals');
    const byText = new Map(arrivals);
    const latencies = published.map((t, i) => (byText.get(`bench-${i}`) ?? Number.NaN) - t);
    const missing = latencies.filter(Number.isNaN).length;
    if (missing) throw new Error(`${missing} messages never reached the ntfy server`);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    const rate = N / ((end - start) / 1000);
    progress(
      `pipeline: ${rate.toFixed(0)} msg/s, p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms`,
    );
    return [
      {
        name: `local pipeline, ${N} durable notify messages, publish → ntfy ack`,
        value: rate,
        unit: 'msg/s',
        baseline: { name: 'NtfyClient alone, same server', value: baseline },
        ratio: rate / baseline,
        target: '≥ 4000 msg/s',
        met: rate >= 4000,
      },
      {
        name: 'local pipeline CPU per message, this process (producers + runtime, all threads)',
        value: pipelineCpu,
        unit: 'µs',
        baseline: { name: 'NtfyClient alone, per request', value: baselineCpu },
        ratio: pipelineCpu / baselineCpu,
      },
      {
        name: 'local pipeline publish→delivery latency p50',
        value: pct(50),
        unit: 'ms',
        baseline: { name: 'p99', value: pct(99) },
        ratio: pct(99) / pct(50),
      },
      {
        name: 'local pipeline publish→delivery latency p99',
        value: pct(99),
        unit: 'ms',
        baseline: { name: 'run length', value: end - start },
        ratio: pct(99) / (end - start),
      },
    ];
  } finally {
    server.send('exit');
    rmSync(work, { recursive: true, force: true });
  }
}
