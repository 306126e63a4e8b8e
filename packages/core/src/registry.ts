import type * as v from 'valibot';
import type { Clock } from './clock';
import { UnknownMessageTypeError } from './errors';
import { type Message, parseEnvelope, type Stage } from './message';
import type { Notifier } from './ports';
import type { PushContext } from './push/context';
import type { AlarmAcknowledgements } from './push/state';
import { parseWith, type Schema } from './schema';

/** What a handler asks the pipeline to publish: a type and its payload. */
export interface EmitRequest {
  type: string;
  payload: Record<string, unknown>;
}

/**
 * A handler either completes its task or emits new messages — or, for a
 * push the ntfy budget cannot afford now, holds it for the next digest.
 */
export type HandlerOutcome =
  | { kind: 'completed'; result: Record<string, unknown> }
  | { kind: 'emitted'; messages: EmitRequest[] }
  | { kind: 'held'; reason: string };

export const complete = (result: Record<string, unknown> = {}): HandlerOutcome => ({
  kind: 'completed',
  result,
});
export const emit = (...messages: EmitRequest[]): HandlerOutcome => ({ kind: 'emitted', messages });
/** The push is kept (status held) and named by the next digest push (see PushContext). */
export const hold = (reason: string): HandlerOutcome => ({ kind: 'held', reason });

/** Set when this attempt takes over one that did not finish (see {@link HandlerContext.recovery}). */
export interface RecoveryContext {
  /**
   * The interrupted work may have had effects from this time on: the claim
   * time of the earliest unfinished attempt, less a clock-skew margin.
   */
  since: Date;
  /**
   * Says the handler has established that the interrupted work had no
   * effect (it looked, and found nothing). A failure after this is recorded
   * like any other — the next attempt acts without looking again — unless
   * the failure itself may have had an effect (`effectUnknown`).
   */
  settled(): void;
}

/** What a handler may use. Everything else is the pipeline's business. */
export interface HandlerContext {
  notifier: Notifier;
  clock: Clock;
  stage: Stage;
  /**
   * Present when a previous attempt on this message was interrupted (a crash
   * or timeout after it may have acted, before its outcome was recorded). A
   * handler with an external side effect should check whether that effect
   * already happened since `recovery.since` before doing it again; one that
   * cannot check may ignore it (the effect then repeats: at-least-once).
   */
  recovery?: RecoveryContext;
  /**
   * Links, action buttons, holding and digests of pushes (the worker wires
   * PushServices); absent, a push carries no links and is never held.
   */
  push?: PushContext;
  /** Alarms acknowledged from their push (the worker wires the push state store). */
  alarms?: AlarmAcknowledgements;
}

export interface MessageHandler<S extends Schema<Record<string, unknown>> = Schema<Record<string, unknown>>> {
  type: string;
  /** One line for people: shown in the console and the CLI. */
  description: string;
  /** Made by Rez itself (a digest, a failure alert): not offered in the console's form. */
  internal?: boolean;
  payloadSchema: S;
  handle(message: Message<v.InferOutput<S>>, context: HandlerContext): Promise<HandlerOutcome>;
}

/** Declares a handler with its payload type inferred from the schema. */
export function defineHandler<S extends Schema<Record<string, unknown>>>(
  handler: MessageHandler<S>,
): MessageHandler<S> {
  return handler;
}

/** Maps message type → handler; the one place a message is fully validated. */
export class HandlerRegistry {
  readonly #handlers = new Map<string, MessageHandler>();

  constructor(handlers: Iterable<MessageHandler<Schema<Record<string, unknown>>>> = []) {
    for (const handler of handlers) this.register(handler);
  }

  register(handler: MessageHandler<Schema<Record<string, unknown>>>): this {
    if (this.#handlers.has(handler.type))
      throw new Error(`a handler for "${handler.type}" is already registered`);
    this.#handlers.set(handler.type, handler as MessageHandler);
    return this;
  }

  types(): string[] {
    return [...this.#handlers.keys()].sort();
  }

  handlers(): MessageHandler[] {
    return this.types().map((type) => this.get(type));
  }

  has(type: string): boolean {
    return this.#handlers.has(type);
  }

  /** The handler for `type`; throws {@link UnknownMessageTypeError} naming the known types. */
  get(type: string): MessageHandler {
    const handler = this.#handlers.get(type);
    if (!handler) throw new UnknownMessageTypeError(type, this.types());
    return handler;
  }

  /** Validates a payload for `type`, returning it with the schema's defaults applied. */
  parsePayload(type: string, payload: unknown): Record<string, unknown> {
    return parseWith(this.get(type).payloadSchema, payload, `${type} payload`, 'payload');
  }

  /** Validates envelope and payload: the one check every boundary runs. */
  parse(input: unknown): Message {
    const message = parseEnvelope(input);
    return { ...message, payload: this.parsePayload(message.type, message.payload) };
  }
}
