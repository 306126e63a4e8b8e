import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { ConsoleDeps } from './deps';

export interface ListenOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1: the console is not meant to face a network without a proxy in front. */
  host?: string;
}

/**
 * Builds the console and listens on the given port; resolves once it accepts
 * connections. Close it with `app.close()`.
 *
 * @example
 * const { app, url } = await startConsole(deps, { port: 3000 });
 * console.log(`console on ${url}`);
 */
export async function startConsole(
  deps: ConsoleDeps,
  options: ListenOptions,
): Promise<{ app: FastifyInstance; url: string; port: number }> {
  const app = await buildApp(deps);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { app, url: `http://${host}:${port}`, port };
}
