import type { Clock } from './clock';
import { describeError, MessageBusyError, RezError, StageMismatchError } from './errors';
import { DEFAULT_HOP_LIMIT, deriveMessages } from './factory';
import type { Message, Stage } from './message';
import type { MessagePublisher, MessageStore, Notifier } from './ports';
import type { PushPipeline } from './push/context';
import type { AlarmAcknowledgements } from './push/state';
import type { HandlerRegistry } from './registry';

export interface ProcessorDeps {
  registry: HandlerRegistry;
  store: MessageStore;
  bus: MessagePublisher;
  notifier: Notifier;
  clock: Clock;
  /** The stage this process serves; messages for another are refused. */
  stage: Stage;
  hopLimit?: number;
  /** How long one attempt holds a message before another delivery may take over (default 5 min). */
  leaseMs?: number;
  /** Push links, holding and digests (see PushServices); absent, pushes are plain. */
  push?: PushPipeline;
  /** Alarms acknowledged from their push. */
  alarms?: AlarmAcknowledgements;
}

/**
 * Subtracted from an interrupted attempt's claim time to get
 * `recovery.since`: the claim time comes from the claiming host's clock, the
 * notification's time from the ntfy server's, and ntfy's `since` has
 * one-second resolution.
 */
export const RECOVERY_CLOCK_SKEW_MS = 60_000;

export type ProcessResult =
  | { status: 'completed'; result: Record<string, unknown> }
  | { status: 'emitted'; children: string[] }
  | { status: 'held'; reason: string }
  | { status: 'duplicate' };

/**
 * Runs one message through its handler, recording every transition.
 *
 * Idempotent by message id: the store's conditional claim turns a redelivery
 * of a completed message into a no-op (`duplicate`) and a concurrent copy
 * into {@link MessageBusyError}. Emitted children get deterministic ids and
 * are recorded before they are published, so a retried parent re-publishes
 * the same children and never doubles their work.
 *
 * An attempt that takes over an interrupted one (the store answers
 * `reclaimed`: a crash or timeout after the handler may have acted, before
 * completion was recorded) passes `recovery: { since }` to the handler so it
 * can look for its own earlier effect instead of repeating it (the notify
 * handler asks ntfy). If such an attempt fails before the handler settled
 * that question (`recovery.settled()`: it looked and found nothing) — or any attempt fails after
 * its handler returned, i.e. after the effect, or with an error whose effect
 * is unknown (a push that timed out after it was sent) — the failure is
 * recorded `unresolved`, so the next attempt recovers rather than acting blindly.
 *
 * Throws when the message failed (after recording why): the caller reports
 * the delivery failed, and the queue retries it — or, when the error is
 * permanent (`RezError.permanent`), the worker moves it to the DLQ at once.
 */
export async function processMessage(message: Message, deps: ProcessorDeps): Promise<ProcessResult> {
  const { store, clock } = deps;
  const claim = await store.claim(message, { now: clock.now(), leaseMs: deps.leaseMs ?? 5 * 60_000 });
  if (claim.outcome === 'completed') return { status: 'duplicate' };
  if (claim.outcome === 'busy') throw new MessageBusyError(message.id);
  // Open while an interrupted attempt's effect is unknown: until the handler settles it.
  let unsettled = claim.outcome === 'reclaimed';
  const recovery =
    claim.outcome === 'reclaimed'
      ? {
          since: new Date(claim.interruptedAt.getTime() - RECOVERY_CLOCK_SKEW_MS),
          settled: () => {
            unsettled = false;
          },
        }
      : undefined;

  // Once the handler has returned, its effect happened: a failure to record it must not look clean.
  let acted = false;
  try {
    if (message.metadata.stage !== deps.stage)
      throw new StageMismatchError(message.metadata.stage, deps.stage);
    const handler = deps.registry.get(message.type);
    const payload = deps.registry.parsePayload(message.type, message.payload);
    const outcome = await handler.handle(
      { ...message, payload },
      {
        notifier: deps.notifier,
        clock,
        stage: deps.stage,
        ...(recovery && { recovery }),
        ...(deps.push && { push: deps.push }),
        ...(deps.alarms && { alarms: deps.alarms }),
      },
    );
    acted = true;

    if (outcome.kind === 'held') {
      await store.hold(message.id, { now: clock.now(), reason: outcome.reason });
      // The hold is recorded either way: a digest missed here is started by the next hold or sweep.
      await deps.push?.afterHold().catch(() => undefined);
      return { status: 'held', reason: outcome.reason };
    }
    if (outcome.kind === 'completed') {
      await store.complete(message.id, { now: clock.now(), result: outcome.result });
      return { status: 'completed', result: outcome.result };
    }

    const children = deriveMessages(message, outcome.messages, {
      registry: deps.registry,
      clock,
      hopLimit: deps.hopLimit ?? DEFAULT_HOP_LIMIT,
    });
    for (const child of children) {
      await store.put(child, clock.now());
      await deps.bus.publish(child);
    }
    const ids = children.map((child) => child.id);
    await store.complete(message.id, { now: clock.now(), result: { emitted: ids.length }, children: ids });
    return { status: 'emitted', children: ids };
  } catch (error) {
    await store.fail(message.id, {
      now: clock.now(),
      error: describeError(error),
      ...(unsettled || acted || (error instanceof RezError && error.effectUnknown)
        ? { unresolved: true }
        : {}),
    });
    throw error;
  }
}
