import {
  type AlarmAcknowledgements,
  BudgetedNotifier,
  budgetKey,
  type Clock,
  type HandlerRegistry,
  type IdGenerator,
  type MessagePublisher,
  type MessageStore,
  type Notifier,
  type PushActionSettings,
  PushBudget,
  type PushLimits,
  PushServices,
  type PushStateStore,
  type Stage,
} from '@rez/core';

/** How a worker delivers pushes, beyond where: the same on AWS and locally. */
export interface PushSettings {
  /** The ntfy server and topic: the budget is kept per pair. */
  ntfy: { baseUrl: string; topic: string };
  /** ntfy's limits to pace by (readPushLimits); null: no pacing, nothing held. */
  limits: PushLimits | null;
  /** The console's public URL: pushes open their message there; absent, no links and no buttons. */
  publicUrl?: string;
  /** Action buttons; absent (off, or no key), pushes get "Open" only. */
  actions?: PushActionSettings;
}

/** What pushes need from the rest of the worker. */
export interface PushWiring {
  /** The plain ntfy client. */
  notifier: Notifier;
  store: MessageStore;
  state: PushStateStore;
  bus: MessagePublisher;
  registry: HandlerRegistry;
  clock: Clock;
  ids: IdGenerator;
  stage: Stage;
  /** Told what could not be done on the side (a button's lookup, a failure alert). */
  onError?: (what: string, error: unknown) => void;
}

/**
 * The push side of a worker, wired one way for the Lambda and the local
 * runtime: the ntfy client behind the shared budget (when there are limits),
 * the push services (links, buttons, holding, digests, failure alerts), and
 * the acknowledged alarms. Spread the result into createWorkerHandler's deps.
 *
 * @example
 * createWorkerHandler({ ...deps, ...pushDeps({ notifier: ntfy, store, state, bus, registry, clock, ids, stage }, settings) });
 */
export function pushDeps(
  wiring: PushWiring,
  settings: PushSettings,
): { notifier: Notifier; push: PushServices; alarms: AlarmAcknowledgements } {
  const budget = settings.limits
    ? new PushBudget({
        store: wiring.state,
        key: budgetKey(settings.ntfy.baseUrl, settings.ntfy.topic),
        limits: settings.limits,
        clock: wiring.clock,
      })
    : undefined;
  return {
    notifier: budget ? new BudgetedNotifier(wiring.notifier, budget) : wiring.notifier,
    push: new PushServices({
      store: wiring.store,
      bus: wiring.bus,
      registry: wiring.registry,
      clock: wiring.clock,
      ids: wiring.ids,
      stage: wiring.stage,
      publicUrl: settings.publicUrl,
      actions: settings.actions,
      budget,
      onError: wiring.onError,
    }),
    alarms: wiring.state,
  };
}
