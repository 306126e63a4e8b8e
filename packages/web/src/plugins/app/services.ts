import { PushActions, PushBudget } from '@rez/core';
import fp from 'fastify-plugin';
import { type ConsoleDeps, type MetricsSource, storeMetrics } from '../../deps';

/** The console's ports, resolved once: routes read them from `app.rez`. */
export interface ConsoleServices extends ConsoleDeps {
  metrics: MetricsSource;
  /** What push buttons do (`/actions/<token>`); off (every link refused) without `push` or its key. */
  pushActions: PushActions;
  /** The shared ntfy budget, for the dashboard; null when pushes are not paced. */
  pushBudget: PushBudget | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    rez: ConsoleServices;
  }
}

/** Decorates the app with its dependencies, so routes never import adapters. */
export default fp<{ deps: ConsoleDeps }>(
  async (app, { deps }) => {
    const { push } = deps;
    const pushActions = new PushActions({
      key: push?.actionKey ?? null,
      stage: deps.stage,
      store: deps.store,
      state: push?.state ?? refusedState,
      queue: deps.queue,
      userSchedules: deps.userSchedules,
      schedules: deps.schedules,
      bus: deps.publisher,
      registry: deps.registry,
      clock: deps.clock,
      ids: deps.ids,
    });
    const pushBudget =
      push?.budget && new PushBudget({ store: push.state, ...push.budget, clock: deps.clock });
    app.decorate('rez', {
      ...deps,
      metrics: deps.metrics ?? storeMetrics(deps.store),
      pushActions,
      pushBudget: pushBudget ?? null,
    });
  },
  { name: 'rez-services' },
);

/** Without push state there is no key either: PushActions refuses every link before it gets here. */
const refusedState = {
  useActionToken: async () => false,
  releaseActionToken: async () => {},
  acknowledgeAlarm: async () => {
    throw new Error('push actions are off');
  },
};
