import fp from 'fastify-plugin';
import { type ConsoleDeps, type MetricsSource, storeMetrics } from '../../deps';

/** The console's ports, resolved once: routes read them from `app.rez`. */
export interface ConsoleServices extends ConsoleDeps {
  metrics: MetricsSource;
}

declare module 'fastify' {
  interface FastifyInstance {
    rez: ConsoleServices;
  }
}

/** Decorates the app with its dependencies, so routes never import adapters. */
export default fp<{ deps: ConsoleDeps }>(
  async (app, { deps }) => {
    app.decorate('rez', { ...deps, metrics: deps.metrics ?? storeMetrics(deps.store) });
  },
  { name: 'rez-services' },
);
