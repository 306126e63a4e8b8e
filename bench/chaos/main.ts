/**
 * `npm run chaos`: a bounded fault-injection run against the local runtime.
 *
 * The runtime runs in a child process (runtime-child.ts, i.e. packages/local's
 * startLocalRuntime) on a fresh REZ_DATA_DIR, delivering to an ntfy-protocol
 * server on 127.0.0.1 that fails 20% of requests with 5xx, 5% with 429 and
 * Retry-After: 1, and leaves 1% unanswered past the client's timeout; with
 * `--real-ntfy` that server is the real ntfy behind a fault proxy, which also
 * drops ntfy's answer to 1% of requests it let through (ntfy-target.ts). This
 * process publishes the messages into the same SQLite database (as the CLI
 * does) — 2% of them poison — while it SIGKILLs the child at random moments
 * and restarts it. Then it checks, and prints, that every good message was
 * delivered exactly once (the ntfy server records each message's unique
 * text), that every poison message sits in the DLQ with its reason in the
 * store, and that store and queue agree.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { builtInRegistry, type Stage, submitMessage, systemClock, ulidGenerator } from '@rez/core';
import { openLocalPipeline, WORKER_QUEUE } from '@rez/local';
import { chaosRealNtfy, chaosTestServer } from './ntfy-target';

const POISON_RATE = 0.02;
const POISON_KINDS = ['ntfy-400', 'not-json', 'unknown-type', 'wrong-stage'] as const;
type Kind = 'good' | (typeof POISON_KINDS)[number];
/** Child runtime settings (all read from the environment by packages/local's config). */
const RUNTIME_ENV = {
  // Past the client's 10 s ntfy timeout, so a stalled publish never outlives its copy's visibility.
  REZ_VISIBILITY_TIMEOUT_SECONDS: '15',
  // At 26% failed requests, 5 receives would dead-letter about 0.26^5 = 0.12% of good messages.
  REZ_MAX_RECEIVE_COUNT: '10',
  REZ_POLLER_BATCHES: '8',
  // The fault server paces nothing of its own: the run measures delivery, not the budget.
  NTFY_LIMITS: 'none',
};

interface Planned {
  index: number;
  kind: Kind;
  /** Rez message id (for everything that is a message). */
  id?: string;
  /** Bus transport id (for bodies injected straight into the queue). */
  transportId?: string;
}

export async function runChaos(argv: string[], options: { childEntry: string }): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '10000' },
      kills: { type: 'string', default: '5' },
      seed: { type: 'string' },
      timeout: { type: 'string' },
      'real-ntfy': { type: 'boolean', default: false },
    },
  });
  const total = Number(values.messages);
  const killCount = Number(values.kills);
  if (!Number.isInteger(total) || total < 10) throw new Error(`--messages must be a whole number ≥ 10`);
  if (!Number.isInteger(killCount) || killCount < 0) throw new Error(`--kills must be a whole number ≥ 0`);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const timeoutMs = 1000 * (values.timeout === undefined ? 120 + total * 0.05 : Number(values.timeout));
  const rng = mulberry32(seed);
  const runId = randomUUID().slice(0, 8);
  const say = (line: string) => console.log(`chaos: ${line}`);

  // ── Plan: exactly 2% poison, spread at random, the kinds in turn.
  const poisonCount = Math.max(1, Math.round(total * POISON_RATE));
  const poisonAt = new Set<number>();
  while (poisonAt.size < poisonCount) poisonAt.add(Math.floor(rng() * total));
  let turn = 0;
  const plan: Planned[] = Array.from({ length: total }, (_, index) => ({
    index,
    kind: poisonAt.has(index) ? POISON_KINDS[turn++ % POISON_KINDS.length] : 'good',
  }));
  const goodCount = total - poisonCount;
  const text = (i: number) => `chaos ${runId} good ${i}`;
  const poisonText = (i: number) => `chaos ${runId} POISON-400 ${i}`;

  // ── The chaotic ntfy server.
  const ntfy = values['real-ntfy'] ? await chaosRealNtfy(rng) : await chaosTestServer(rng);
  const { faults } = ntfy;
  const topic = 'rez-chaos';

  // ── This process's side of the database: the producer, and later the checks.
  const data = mkdtempSync(path.join(tmpdir(), 'rez-chaos-'));
  const pipeline = openLocalPipeline({
    dbFile: path.join(data, 'rez.db'),
    maxReceiveCount: Number(RUNTIME_ENV.REZ_MAX_RECEIVE_COUNT),
    visibilityTimeoutSeconds: Number(RUNTIME_ENV.REZ_VISIBILITY_TIMEOUT_SECONDS),
  });
  const env = {
    ...process.env,
    ...RUNTIME_ENV,
    REZ_DATA_DIR: data,
    NTFY_BASE_URL: ntfy.url,
    NTFY_TOPIC: topic,
    ...(ntfy.token ? { NTFY_TOKEN: ntfy.token } : {}),
    REZ_STAGE: 'dev',
  };
  const runtime = new ChildRuntime(options.childEntry, env);
  const failures: string[] = [];
  const started = Date.now();
  say(
    `seed ${seed}; ${total} messages (${goodCount} good, ${poisonCount} poison), ${killCount} SIGKILLs, timeout ${(timeoutMs / 1000).toFixed(0)} s`,
  );
  say(
    `data ${data}; ntfy ${ntfy.url}: ${ntfy.name}; runtime ${Object.entries(RUNTIME_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );

  try {
    await runtime.start();
    const produced = produce(plan, pipeline, { text, poisonText }).catch((error: unknown) => {
      failures.push(`producer failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    let producing = true;
    void produced.finally(() => {
      producing = false;
      say(`published ${total} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    // Kill points: fractions of the good messages delivered, at random.
    const killAt = Array.from({ length: killCount }, () => 0.05 + rng() * 0.85).sort((a, b) => a - b);
    const deliveries = new Map<number, number>();
    let seen = 0;
    const tally = (accepted = ntfy.accepted) => {
      for (; seen < accepted.length; seen++) {
        const match = /^chaos \S+ good (\d+)$/.exec(accepted[seen]);
        if (match) deliveries.set(Number(match[1]), (deliveries.get(Number(match[1])) ?? 0) + 1);
      }
      return deliveries.size;
    };
    const deadline = started + timeoutMs;
    /** Up to 5 records each still queued or processing in the store. */
    const unfinished = async () =>
      (
        await Promise.all(
          (['queued', 'processing'] as const).map((status) => pipeline.store.list({ status, limit: 5 })),
        )
      ).flatMap((page) => page.items);
    let kills = 0;
    let lastReport = 0;
    let lastCheck = 0;
    let allDeliveredAt = 0;
    for (;;) {
      const delivered = tally();
      if (!allDeliveredAt && delivered >= goodCount) allDeliveredAt = Date.now();
      if (!runtime.alive) {
        say('the runtime exited on its own; restarting');
        await runtime.start();
      }
      if (kills < killCount && delivered >= killAt[kills] * goodCount) {
        await sleep(rng() * 100);
        const at = tally();
        const inFlight = (await pipeline.queue.depth()).inFlight;
        await runtime.kill();
        kills++;
        say(
          `SIGKILL ${kills}/${killCount} at ${at}/${goodCount} delivered (${inFlight} copies hidden); restarting`,
        );
        await runtime.start();
      }
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        const depth = await pipeline.queue.depth();
        say(
          `${((Date.now() - started) / 1000).toFixed(0)} s: ${delivered}/${goodCount} delivered, queue ${depth.visible} visible, ${depth.inFlight} hidden, ${depth.dead} dead; ${ntfy.requests()} ntfy requests`,
        );
      }
      if (!producing && kills >= killCount && delivered >= goodCount && Date.now() - lastCheck > 250) {
        lastCheck = Date.now();
        const depth = await pipeline.queue.depth();
        // Settled also means nothing the run caused is still on its way: a failure alert is stored
        // and published just after its poison message reached the DLQ.
        if (
          depth.visible + depth.inFlight === 0 &&
          depth.dead >= poisonCount &&
          (await unfinished()).length === 0
        )
          break;
      }
      if (Date.now() > deadline) {
        failures.push(`timed out after ${(timeoutMs / 1000).toFixed(0)} s before the run settled`);
        break;
      }
      await sleep(20);
    }
    await produced;
    const elapsed = (Date.now() - started) / 1000;
    await runtime.stop();
    runtime.unexpectedExits.forEach((exit) => {
      failures.push(`runtime exited on its own: ${exit}`);
    });
    // What ntfy holds at the end decides (the real one's message cache, read back).
    const held = await ntfy.settle(topic);
    if (held.length !== ntfy.accepted.length)
      failures.push(
        `ntfy holds ${held.length} messages, but ${ntfy.accepted.length} publishes were accepted`,
      );
    deliveries.clear();
    seen = 0;
    tally(held);

    // ── Checks.
    let lost = 0;
    let duplicates = 0;
    const duplicated: Planned[] = [];
    for (const item of plan) {
      if (item.kind !== 'good') continue;
      const count = deliveries.get(item.index) ?? 0;
      if (count === 0) lost++;
      if (count > 1) {
        duplicates += count - 1;
        duplicated.push(item);
      }
      const record = item.id ? await pipeline.store.get(item.id) : null;
      if (record?.status !== 'completed')
        failures.push(
          `good message ${item.index} (${item.id ?? 'never published'}) is ${record?.status ?? 'missing'} in the store${record?.error ? `: ${record.error.reason}` : ''}`,
        );
    }
    if (lost) failures.push(`${lost} good message(s) never reached ntfy`);
    if (duplicates) failures.push(`${duplicates} duplicate push(es) of good messages`);

    const dead = await pipeline.queue.listDeadLetters({ limit: total + 1 });
    const deadKeys = new Set(dead.map((d) => d.transportId));
    for (const d of dead) {
      const id = idOf(d.body);
      if (id) deadKeys.add(id);
    }
    const poisonKeys = new Set<string>();
    for (const item of plan) {
      if (item.kind === 'good') continue;
      const key = item.transportId ?? item.id;
      if (!key) {
        failures.push(`poison message ${item.index} (${item.kind}) was never published`);
        continue;
      }
      poisonKeys.add(key);
      if (!deadKeys.has(key))
        failures.push(`poison message ${item.index} (${item.kind}, ${key}) is not in the DLQ`);
      // A body that decodes to an envelope is recorded under its message id; anything else under the transport id.
      const storeId = item.id ?? `invalid-${item.transportId}`;
      const record = await pipeline.store.get(storeId);
      if (record?.status !== 'failed' || !record.error?.reason)
        failures.push(
          `poison message ${item.index} (${item.kind}) is ${record?.status ?? 'missing'} in the store${record?.error ? '' : ', with no reason'}`,
        );
    }
    for (const d of dead) {
      const id = idOf(d.body);
      if (!poisonKeys.has(d.transportId) && !(id && poisonKeys.has(id)))
        failures.push(`dead letter ${d.transportId} (message ${id ?? 'not JSON'}) is not a poison message`);
    }
    const depth = await pipeline.queue.depth();
    if (depth.visible + depth.inFlight !== 0)
      failures.push(`queue not empty: ${depth.visible} visible, ${depth.inFlight} in flight`);
    const stuck = await unfinished();
    if (stuck.length)
      failures.push(
        `store still holds unfinished messages: ${stuck.map((r) => `${r.id} (${r.type} by ${r.created_by}, ${r.status})`).join(', ')}…`,
      );

    // ── Report.
    const attempts = await attemptHistogram(pipeline, plan);
    say(
      `every good message delivered after ${allDeliveredAt ? `${((allDeliveredAt - started) / 1000).toFixed(1)} s` : '(never)'}; settled (poison in the DLQ, queue empty, nothing unfinished in the store) after ${elapsed.toFixed(1)} s; ${ntfy.requests()} ntfy requests: ${faults.serverError} 5xx, ${faults.rateLimited} 429, ${faults.stall} stalled, ${faults.rejected} rejected (400), ${faults.lostAnswer ? `${faults.lostAnswer} taken but unanswered, ` : ''}${ntfy.accepted.length} accepted`,
    );
    say(`processing attempts per good message: ${attempts}`);
    say(
      `runtime processes: ${runtime.starts}; SIGKILLs: ${kills}; duplicates per SIGKILL: ${kills ? (duplicates / kills).toFixed(1) : '-'}`,
    );
    for (const item of duplicated.slice(0, 10)) {
      const record = item.id ? await pipeline.store.get(item.id) : null;
      say(
        `duplicate: message ${item.index} (${item.id}) pushed ${deliveries.get(item.index)}×; store history ${JSON.stringify(record?.history.map((h) => h.status))}`,
      );
    }
    for (const failure of failures.slice(0, 25)) say(`FAILED: ${failure}`);
    if (failures.length > 25) say(`… and ${failures.length - 25} more failures`);
    if (failures.length) say(`last runtime output:\n${runtime.tail()}`);
    say(failures.length ? `FAIL (${failures.length} problem(s))` : 'PASS');
    console.log(`delivered: ${deliveries.size}`);
    console.log(`lost: ${lost}`);
    console.log(`duplicates: ${duplicates}`);
    console.log(`dead-lettered: ${dead.length}`);
    return failures.length ? 1 : 0;
  } finally {
    await runtime.stop().catch(() => {});
    pipeline.close();
    await ntfy.close();
    rmSync(data, { recursive: true, force: true });
  }
}

/** Publishes the plan the way producers do (submitMessage), and injects non-messages straight into the queue. */
async function produce(
  plan: Planned[],
  pipeline: ReturnType<typeof openLocalPipeline>,
  words: { text: (i: number) => string; poisonText: (i: number) => string },
): Promise<void> {
  const ids = ulidGenerator();
  const deps = {
    registry: builtInRegistry(),
    clock: systemClock,
    ids,
    store: pipeline.store,
    bus: pipeline.publisher,
  };
  const inject = pipeline.db.prepare(
    `INSERT INTO bus_messages (transport_id, queue, body, attributes, sent_at, visible_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const send = async (message: string, stage: Stage) =>
    (await submitMessage({ type: 'notify', payload: { message }, created_by: 'chaos', stage }, deps)).id;
  for (const item of plan) {
    const i = item.index;
    if (item.kind === 'good') item.id = await send(words.text(i), 'dev');
    else if (item.kind === 'ntfy-400') item.id = await send(words.poisonText(i), 'dev');
    else if (item.kind === 'wrong-stage') item.id = await send(words.text(i), 'prod');
    else {
      const transportId = randomUUID();
      const now = Date.now();
      const id = ids.next(now);
      const body =
        item.kind === 'not-json'
          ? `{"chaos": ${i}, this is not JSON`
          : JSON.stringify({
              id,
              type: 'chaos_unknown_type',
              payload: { n: i },
              metadata: { created_date: new Date(now).toISOString(), created_by: 'chaos', stage: 'dev' },
              correlation_id: id,
              causation_id: null,
              hop: 0,
            });
      inject.run(transportId, WORKER_QUEUE, body, '{}', now, now);
      item.transportId = transportId;
      if (item.kind === 'unknown-type') item.id = id;
    }
    // Let the ntfy server and the kill loop run while we publish.
    if (i % 25 === 24) await new Promise((r) => setImmediate(r));
  }
}

/** "1×: n, 2×: n, …" over the good messages' store attempts. */
async function attemptHistogram(
  pipeline: ReturnType<typeof openLocalPipeline>,
  plan: Planned[],
): Promise<string> {
  const counts = new Map<number, number>();
  for (const item of plan) {
    if (item.kind !== 'good' || !item.id) continue;
    const attempts = (await pipeline.store.get(item.id))?.attempts ?? 0;
    counts.set(attempts, (counts.get(attempts) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([a, n]) => `${a}×: ${n}`)
    .join(', ');
}

/** The local runtime in a child process: start (waits for `rez: ready`), SIGKILL, stop (SIGTERM). */
class ChildRuntime {
  #child: ChildProcess | undefined;
  #killing = false;
  #lines: string[] = [];
  starts = 0;
  readonly unexpectedExits: string[] = [];

  constructor(
    readonly entry: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** False once the child exited (killed, stopped or crashed). */
  get alive(): boolean {
    const child = this.#child;
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(process.execPath, [this.entry], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#killing = false;
    this.starts++;
    let partial = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`runtime not ready in ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          this.#lines.push(line);
          if (line === 'rez: ready') {
            clearTimeout(timer);
            resolve();
          }
        }
        if (this.#lines.length > 400) this.#lines.splice(0, this.#lines.length - 200);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!this.#killing) {
          this.unexpectedExits.push(`code ${code}, signal ${signal}`);
          reject(new Error(`runtime exited (code ${code}, signal ${signal}):\n${this.tail()}`));
        }
      });
    });
  }

  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.#end('SIGTERM', 20_000);
  }

  tail(lines = 20): string {
    return this.#lines.slice(-lines).join('\n');
  }

  async #end(signal: NodeJS.Signals, graceMs = 5_000): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#killing = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

function idOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small seeded PRNG, so a failing run can be repeated with --seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
