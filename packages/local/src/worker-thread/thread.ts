/**
 * The worker thread's entry (built to dist/worker-thread.js): the worker
 * Lambda's handler — the same createWorkerHandler as on AWS, with its own
 * ntfy client — reaching the store, the bus and the poller on the main
 * thread through port calls, as the Lambda reaches DynamoDB and SNS.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  builtInRegistry,
  type MessagePublisher,
  type MessageStore,
  NtfyClient,
  type PushStateStore,
  systemClock,
  ulidGenerator,
} from '@rez/core';
import { createWorkerHandler, pushDeps } from '@rez/worker';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { sqsEvent } from '../sqs-event';
import {
  fromWireError,
  Outbox,
  PORT_METHODS,
  type PortName,
  toWireError,
  type WireItem,
  type WorkerThreadData,
} from './wire';

const port = parentPort;
if (!port) throw new Error('worker-thread.js runs as a worker thread of the local runtime');
const data = workerData as WorkerThreadData;

const outbox = new Outbox((items) => port.postMessage(items));
const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextCallId = 0;

function call(target: PortName, method: string, args: unknown[]): Promise<unknown> {
  const id = nextCallId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    outbox.push({ kind: 'call', id, target, method, args });
  });
}

function remote<T>(target: PortName): T {
  return Object.fromEntries(
    PORT_METHODS[target].map((method) => [method, (...args: unknown[]) => call(target, method, args)]),
  ) as T;
}

const ntfy = new NtfyClient(data.ntfy);
const registry = builtInRegistry();
const store = remote<MessageStore>('store');
const bus = remote<MessagePublisher>('bus');
const warn = (message: string, extra: Record<string, unknown>) =>
  outbox.push({ kind: 'log', level: 'warn', message, extra });
const { actions } = data.push;
const handler = createWorkerHandler({
  registry,
  store,
  bus,
  clock: systemClock,
  stage: data.stage,
  leaseMs: data.leaseMs,
  maxReceiveCount: data.maxReceiveCount,
  ...pushDeps(
    {
      notifier: ntfy,
      store,
      state: remote<PushStateStore>('pushState'),
      bus,
      registry,
      clock: systemClock,
      ids: ulidGenerator(),
      stage: data.stage,
      onError: (what, error) => warn(`could not do ${what}`, { reason: String(error) }),
    },
    {
      ntfy: data.ntfy,
      limits: data.push.limits,
      publicUrl: data.push.publicUrl,
      actions: actions && { ...actions, key: Buffer.from(actions.key, 'base64') },
    },
  ),
  logger: {
    info() {},
    warn,
    error: (message, extra) => outbox.push({ kind: 'log', level: 'error', message, extra }),
  },
  delayRedelivery: (record: SQSRecord, seconds: number) =>
    call('poller', 'delayRedelivery', [record, seconds]) as Promise<void>,
  ...(data.deadLetter && {
    deadLetter: (record: SQSRecord) => call('poller', 'deadLetter', [record]) as Promise<void>,
  }),
});

port.on('message', (items: WireItem[]) => {
  for (const item of items) {
    if (item.kind === 'reply') {
      const waiter = pending.get(item.id);
      if (!waiter) continue;
      pending.delete(item.id);
      if (item.ok) waiter.resolve(item.value);
      else waiter.reject(fromWireError(item.error));
    } else if (item.kind === 'invoke' || item.kind === 'deliver') {
      const event = item.kind === 'invoke' ? (item.event as SQSEvent) : sqsEvent(item.batch, item.source);
      handler(event).then(
        (value) => outbox.push({ kind: 'done', id: item.id, ok: true, value }),
        (error: unknown) => outbox.push({ kind: 'done', id: item.id, ok: false, error: toWireError(error) }),
      );
    }
  }
});

// The main thread terminates the thread; until then the open port keeps it alive.
process.on('exit', () => ntfy.close());
