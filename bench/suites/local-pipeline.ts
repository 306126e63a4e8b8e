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
 * Two rounds of N through one runtime, back to back. The first ("from
 * start") includes V8 compiling the code of both isolates (the main thread
 * and the worker thread, which starts with the runtime): on this machine
 * that is about a fifth of the round's CPU, in V8's helper threads. The
 * second ("steady state") is the rate under sustained load, and is the
 * figure held to the target. A burst after the process has idled for a
 * minute or more runs at about the from-start rate again (V8 shrinks heaps
 * and drops compiled code when idle; see packages/local/README.md). The
 * baseline gets the same two rounds, and each pipeline round is compared
 * with the baseline's like round.
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

    // Baseline: the client alone, two rounds like the pipeline's.
    const inFlight = BATCHES * 10;
    const client = new NtfyClient({ baseUrl: url, topic: 'rez-bench' });
    const clientRound = async () => {
      let next = 0;
      const t0 = now();
      const cpu0 = process.cpuUsage();
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < N) await client.publish({ message: `baseline-${next++}` });
        }),
      );
      return { rate: N / ((now() - t0) / 1000), cpu: cpuMicros(process.cpuUsage(cpu0)) / N };
    };
    const baseline = { cold: await clientRound(), warm: await clientRound() };
    client.close();
    server.send('reset');
    progress(
      `baseline: NtfyClient alone ${baseline.cold.rate.toFixed(0)} req/s from start, ${baseline.warm.rate.toFixed(0)} req/s after`,
    );

    const rez = await startLocalRuntime({
      env: {
        REZ_DATA_DIR: work,
        NTFY_BASE_URL: url,
        NTFY_LIMITS: 'none',
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
    const completedSoFar = async () => {
      const buckets = await rez.store.counts({
        since: new Date(Date.now() - 3_600_000),
        until: new Date(Date.now() + 600_000),
      });
      return buckets.reduce((sum, b) => sum + b.completed, 0);
    };

    /** One round of N: publish, wait for every delivery to complete in the store. */
    const pipelineRound = async (label: string) => {
      const before = await completedSoFar();
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
              { type: 'notify', payload: { message: `${label}-${i}` }, created_by: 'bench', stage: 'dev' },
              deps,
            );
          }
        }),
      );
      for (let completed = 0; completed < N; ) {
        completed = (await completedSoFar()) - before;
        if (now() - start > 300_000) throw new Error(`only ${completed}/${N} delivered after 300 s`);
        if (completed < N) await new Promise((r) => setTimeout(r, 5));
      }
      const end = now();
      const cpu = cpuMicros(process.cpuUsage(cpuStart)) / N;
      const serverCpuPerMessage = ((serverCpu(server) - serverCpuStart) * 1000) / N;
      const rate = N / ((end - start) / 1000);
      progress(
        `${label}: ${rate.toFixed(0)} msg/s; CPU per message ${cpu.toFixed(0)} µs in this process (all threads), ${serverCpuPerMessage.toFixed(0)} µs in the ntfy server`,
      );
      return { label, published, rate, cpu, length: end - start };
    };
    const cold = await pipelineRound('from-start');
    const warm = await pipelineRound('steady');
    await rez.stop();

    const { arrivals } = await ask<{ arrivals: [string, number][] }>(server, 'arrivals', 'arrivals');
    const byText = new Map(arrivals);
    const percentiles = (round: typeof cold) => {
      const latencies = round.published.map((t, i) => (byText.get(`${round.label}-${i}`) ?? Number.NaN) - t);
      const missing = latencies.filter(Number.isNaN).length;
      if (missing)
        throw new Error(`${missing} messages of round ${round.label} never reached the ntfy server`);
      latencies.sort((a, b) => a - b);
      const pct = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
      return { p50: pct(50), p99: pct(99) };
    };
    const coldLatency = percentiles(cold);
    const latency = percentiles(warm);
    progress(
      `latency p50/p99: ${coldLatency.p50.toFixed(0)}/${coldLatency.p99.toFixed(0)} ms from start, ${latency.p50.toFixed(0)}/${latency.p99.toFixed(0)} ms steady`,
    );
    return [
      {
        name: `local pipeline, ${N} durable notify messages, publish → ntfy ack (steady state: the runtime's second ${N})`,
        value: warm.rate,
        unit: 'msg/s',
        baseline: { name: 'NtfyClient alone, same server, its second round', value: baseline.warm.rate },
        ratio: warm.rate / baseline.warm.rate,
        target: '≥ 4000 msg/s',
        met: warm.rate >= 4000,
      },
      {
        name: `local pipeline, the runtime's first ${N} (includes compiling both isolates)`,
        value: cold.rate,
        unit: 'msg/s',
        baseline: { name: 'NtfyClient alone, same server, its first round', value: baseline.cold.rate },
        ratio: cold.rate / baseline.cold.rate,
      },
      {
        name: 'local pipeline CPU per message, steady state, this process (producers + runtime, all threads)',
        value: warm.cpu,
        unit: 'µs',
        baseline: { name: 'NtfyClient alone, per request, its second round', value: baseline.warm.cpu },
        ratio: warm.cpu / baseline.warm.cpu,
      },
      {
        name: 'local pipeline publish→delivery latency p50, steady state',
        value: latency.p50,
        unit: 'ms',
        baseline: { name: 'p99', value: latency.p99 },
        ratio: latency.p99 / latency.p50,
      },
      {
        name: 'local pipeline publish→delivery latency p99, steady state',
        value: latency.p99,
        unit: 'ms',
        baseline: { name: 'round length', value: warm.length },
        ratio: latency.p99 / warm.length,
      },
    ];
  } finally {
    server.send('exit');
    rmSync(work, { recursive: true, force: true });
  }
}
