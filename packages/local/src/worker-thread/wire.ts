import { type PushLimits, type ReceivedMessage, RezError, type Stage } from '@rez/core';
import type { EventSource } from '../sqs-event';

/**
 * What crosses between the runtime's main thread and the worker thread.
 * Every post is an array of these, gathered over one turn of the sender's
 * event loop: a batch of ten records costs a few posts, not one per call.
 *
 * main → thread: `invoke` the handler with an SQS event, or `deliver` a batch
 * as received (the thread builds the event: less to copy, and the md5s are
 * computed off the main thread); `reply` to a port call.
 * thread → main: `call` a port method (store, bus, poller); `done` with a
 * batch's response; `log` a warning or error line.
 */
export type WireItem =
  | { kind: 'invoke'; id: number; event: unknown }
  | { kind: 'deliver'; id: number; batch: ReceivedMessage[]; source: EventSource }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: WireError }
  | { kind: 'call'; id: number; target: PortName; method: string; args: unknown[] }
  | { kind: 'done'; id: number; ok: true; value: unknown }
  | { kind: 'done'; id: number; ok: false; error: WireError }
  | { kind: 'log'; level: 'warn' | 'error'; message: string; extra: Record<string, unknown> };

/** The ports the thread reaches on the main thread, and the methods it may call on each. */
export const PORT_METHODS = {
  store: ['put', 'get', 'claim', 'complete', 'fail', 'reject', 'hold', 'note', 'list', 'children', 'counts'],
  pushState: [
    'readBudget',
    'writeBudget',
    'useActionToken',
    'releaseActionToken',
    'alarmAcknowledgement',
    'acknowledgeAlarm',
    'clearAlarmAcknowledgement',
    'alarmAcknowledgements',
  ],
  bus: ['publish'],
  poller: ['delayRedelivery', 'deadLetter'],
} as const;

export type PortName = keyof typeof PORT_METHODS;

/** The settings the thread builds its handler from (worker_threads' workerData). */
export interface WorkerThreadData {
  ntfy: { baseUrl: string; topic: string; token?: string };
  stage: Stage;
  leaseMs: number;
  /** The main thread has a dead-letter port (the poller's deadLetter): permanent failures use it. */
  deadLetter: boolean;
  /** The queue's maxReceiveCount (a failure on the last receive is alerted). */
  maxReceiveCount: number;
  /** Push links, buttons and pacing (PushSettings, the key in base64 to cross threads). */
  push: {
    limits: PushLimits | null;
    publicUrl?: string;
    actions?: { key: string; ttlMs: number; snoozeMs: number; builtInSchedules: string[] };
  };
}

/**
 * An error as data: structured clone keeps an Error's message but not its
 * class or `code`, and the worker branches on those (describeError, RezError).
 */
export interface WireError {
  name: string;
  message: string;
  code: string;
  permanent: boolean;
  effectUnknown: boolean;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof RezError)
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      permanent: error.permanent,
      effectUnknown: error.effectUnknown,
    };
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { name, message, code: 'UNEXPECTED', permanent: false, effectUnknown: false };
}

/** The error as the other thread raised it, as far as Rez branches on it: code, reason, permanence. */
export function fromWireError(wire: WireError): Error {
  if (wire.code === 'UNEXPECTED') {
    const error = new Error(wire.message);
    error.name = wire.name;
    return error;
  }
  const error = new RezError(wire.message, {
    code: wire.code,
    permanent: wire.permanent,
    effectUnknown: wire.effectUnknown,
  });
  error.name = wire.name;
  return error;
}

/**
 * Gathers items and posts them as one array on the next turn of the event
 * loop (setImmediate), so the calls a batch's records make together travel
 * together.
 */
export class Outbox {
  readonly #post: (items: WireItem[]) => void;
  #items: WireItem[] = [];
  #scheduled = false;

  constructor(post: (items: WireItem[]) => void) {
    this.#post = post;
  }

  push(item: WireItem): void {
    this.#items.push(item);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#post(items);
  }
}
