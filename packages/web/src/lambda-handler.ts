import awsLambdaFastify from '@fastify/aws-lambda';
import type { ALBEvent, ALBResult, Context } from 'aws-lambda';
import type { FastifyInstance } from 'fastify';

export type AlbHandler = (event: ALBEvent, context: Context) => Promise<ALBResult>;

/**
 * Wraps a console app for an ALB Lambda target. Multi-value headers must be
 * on (target group attribute lambda.multi_value_headers.enabled): only
 * multiValueHeaders can carry repeated headers such as more than one
 * Set-Cookie, and an ALB with them on reads nothing else. The app is built
 * once per Lambda instance, on the first event.
 *
 * @example
 * export const handler = createAlbHandler(() => buildApp(depsFromEnv()));
 */
export function createAlbHandler(build: () => Promise<FastifyInstance>): AlbHandler {
  let proxy: Promise<(event: ALBEvent, context: Context) => Promise<ALBResult>> | undefined;
  const init = async () => {
    const app = await build();
    const wrapped = awsLambdaFastify(app, { albMultiValueHeaders: true });
    await app.ready();
    return wrapped as unknown as (event: ALBEvent, context: Context) => Promise<ALBResult>;
  };
  return async (event, context) => {
    proxy ??= init().catch((error) => {
      // A failed start (discovery down, bad config) is retried on the next event rather than cached.
      proxy = undefined;
      throw error;
    });
    return (await proxy)(event, context);
  };
}
