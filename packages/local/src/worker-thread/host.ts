import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MessagePublisher, MessageStore, PushStateStore } from '@rez/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { BatchDelivery, BatchHandler } from '../poller';
import {
  fromWireError,
  Outbox,
  PORT_METHODS,
  type PortName,
  toWireError,
  type WireItem,
  type WorkerThreadData,
} from './wire';

export interface WorkerThreadOptions extends Omit<WorkerThreadData, 'deadLetter'> {
  store: MessageStore;
  pushState: PushStateStore;
  bus: MessagePublisher;
  /** The poller's delayRedelivery (ntfy 429 → keep the record hidden for Retry-After). */
  delayRedelivery: (record: SQSRecord, seconds: number) => Promise<void>;
  /** The poller's deadLetter (a permanent failure → the DLQ now); without it, such records are retried. */
  deadLetter?: (record: SQSRecord) => Promise<void>;
  /** Where the worker's warnings and errors go. */
  log: (line: string) => void;
  /** Threads to run batches on (default 1); each batch goes to the one with the fewest in flight. */
  threads?: number;
  /** The built thread entry (default: found beside this bundle, or in packages/local/dist). */
  script?: string;
}

/**
 * The worker Lambda's handler in worker threads, as Lambda runs concurrent
 * invocations in separate instances. The poller hands batches over
 * (`deliver`, or `handler` with an SQS event, as it would the handler
 * itself); inside a thread, createWorkerHandler decodes, processes and
 * publishes to ntfy, and reaches the store, the bus and the poller here,
 * where the one SQLite connection lives. The main thread keeps the database
 * and the producers; the threads take the decoding, the handler and the
 * HTTP, so the pipeline uses every core instead of one.
 *
 * A thread that dies (an uncaught error) fails the batches it held, as a
 * crashed Lambda invocation does: the poller retries them after their
 * backoff, and a later batch starts a new thread in its place.
 */
export class WorkerThreads {
  readonly #options: WorkerThreadOptions;
  readonly #script: string;
  readonly #ports: Record<PortName, object>;
  /** One slot per thread; a slot is empty until its first batch, or after its thread died. */
  readonly #slots: (RunningThread | undefined)[];
  #nextInvokeId = 0;
  #stopped = false;

  constructor(options: WorkerThreadOptions) {
    this.#options = options;
    this.#script = options.script ?? findThreadScript();
    this.#slots = new Array(Math.max(1, options.threads ?? 1)).fill(undefined);
    this.#ports = {
      store: options.store,
      pushState: options.pushState,
      bus: options.bus,
      poller: { delayRedelivery: options.delayRedelivery, deadLetter: options.deadLetter },
    };
  }

  /**
   * Starts every thread now, so each has loaded its code before the first
   * batch arrives (otherwise a batch starts the thread it needs).
   */
  start(): void {
    if (this.#stopped) return;
    for (let slot = 0; slot < this.#slots.length; slot++) this.#slots[slot] ??= this.#spawn();
  }

  /** The worker Lambda's signature. */
  readonly handler: BatchHandler = (event: SQSEvent) => this.#invoke((id) => ({ kind: 'invoke', id, event }));

  /** For Poller.startDelivering: the batch as received; the thread builds the SQS event. */
  readonly deliver: BatchDelivery = (batch, source) =>
    this.#invoke((id) => ({ kind: 'deliver', id, batch, source }));

  #invoke(item: (id: number) => WireItem): Promise<SQSBatchResponse> {
    if (this.#stopped) return Promise.reject(new Error('the worker threads are stopped'));
    const thread = this.#pick();
    const id = this.#nextInvokeId++;
    return new Promise<SQSBatchResponse>((resolve, reject) => {
      thread.invocations.set(id, { resolve: (value) => resolve(value as SQSBatchResponse), reject });
      thread.outbox.push(item(id));
    });
  }

  /** Ends the threads; batches still inside them fail (the poller's stop waits for them first). */
  async stop(): Promise<void> {
    this.#stopped = true;
    const threads = this.#slots.filter((thread) => thread !== undefined);
    this.#slots.fill(undefined);
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  /** An empty slot gets a new thread; otherwise the thread with the fewest batches in flight. */
  #pick(): RunningThread {
    const empty = this.#slots.indexOf(undefined);
    if (empty >= 0) {
      const thread = this.#spawn();
      this.#slots[empty] = thread;
      return thread;
    }
    let best = this.#slots[0] as RunningThread;
    for (const thread of this.#slots as RunningThread[])
      if (thread.invocations.size < best.invocations.size) best = thread;
    return best;
  }

  #spawn(): RunningThread {
    const { ntfy, stage, leaseMs, maxReceiveCount, push } = this.#options;
    const data: WorkerThreadData = {
      ntfy,
      stage,
      leaseMs,
      maxReceiveCount,
      push,
      deadLetter: this.#options.deadLetter !== undefined,
    };
    const worker = new Worker(this.#script, { workerData: data });
    const thread: RunningThread = {
      worker,
      outbox: new Outbox((items) => worker.postMessage(items)),
      invocations: new Map(),
    };
    worker.on('message', (items: WireItem[]) => {
      for (const item of items) this.#receive(thread, item);
    });
    worker.on('error', (error) => this.#options.log(`rez: worker thread failed: ${error.message}`));
    worker.on('exit', (code) => {
      const slot = this.#slots.indexOf(thread);
      if (slot >= 0) this.#slots[slot] = undefined;
      const lost = new Error(`the worker thread exited (code ${code}) before the batch finished`);
      for (const invocation of thread.invocations.values()) invocation.reject(lost);
      thread.invocations.clear();
    });
    return thread;
  }

  #receive(thread: RunningThread, item: WireItem): void {
    if (item.kind === 'call') {
      const { id, target, method, args } = item;
      const port = this.#ports[target] as Record<string, (...a: unknown[]) => unknown> | undefined;
      const allowed = (PORT_METHODS[target] ?? []) as readonly string[];
      new Promise((resolve) => {
        if (!port || !allowed.includes(method))
          throw new Error(`the worker thread called unknown ${target}.${method}`);
        resolve(port[method](...args));
      }).then(
        (value) => thread.outbox.push({ kind: 'reply', id, ok: true, value }),
        (error: unknown) => thread.outbox.push({ kind: 'reply', id, ok: false, error: toWireError(error) }),
      );
    } else if (item.kind === 'done') {
      const invocation = thread.invocations.get(item.id);
      if (!invocation) return;
      thread.invocations.delete(item.id);
      if (item.ok) invocation.resolve(item.value);
      else invocation.reject(fromWireError(item.error));
    } else if (item.kind === 'log') {
      this.#options.log(`rez: ${item.message} ${JSON.stringify(item.extra)}`);
    }
  }
}

interface RunningThread {
  worker: Worker;
  outbox: Outbox;
  invocations: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
}

/**
 * dist/worker-thread.js, built by scripts/build.mjs: beside the local
 * runtime's bundle (dist/start.js), else in this package's dist — from the
 * sources (tests) or another bundle (the bench). A thread cannot load
 * TypeScript, so the sources use the built file: `npm start`, `npm test`
 * and `npm run bench` build first.
 */
export function findThreadScript(): string {
  const candidates = [path.join(__dirname, 'worker-thread.js')];
  try {
    const root = path.dirname(require.resolve('@rez/local/package.json'));
    candidates.push(path.join(root, 'dist', 'worker-thread.js'));
  } catch {
    // Not installed as a package: only the bundle's own directory can hold it.
  }
  const found = candidates.find((file) => existsSync(file));
  if (!found)
    throw new Error(`worker-thread.js not found (run \`npm run build\`); looked in ${candidates.join(', ')}`);
  return found;
}
