import awsLambdaFastify from '@fastify/aws-lambda';
import type { ALBEvent, ALBResult, Context } from 'aws-lambda';
import type { FastifyInstance } from 'fastify';

export type AlbHandler = (event: ALBEvent, context: Context) => Promise<ALBResult>;

/**
 * The ALB event with its query string back in `path`, as the client sent
 * it, and no query parameters left. The ALB passes query parameters
 * undecoded; @fastify/aws-lambda would run each through decodeURIComponent,
 * which throws on a malformed escape (`?x=%ZZ`: the Lambda fails and the
 * ALB answers 502) and keeps `+` as `+`, where a form's space is `+`. With
 * the raw query string in the URL, Fastify parses it exactly as it does
 * locally (see plugins/app/query-string.ts): one behaviour on both entries.
 */
export function withRawQuery(event: ALBEvent): ALBEvent {
  const pairs: string[] = [];
  if (event.multiValueQueryStringParameters) {
    for (const [key, values] of Object.entries(event.multiValueQueryStringParameters))
      for (const value of values ?? []) pairs.push(`${key}=${value}`);
  } else if (event.queryStringParameters) {
    for (const [key, value] of Object.entries(event.queryStringParameters))
      pairs.push(`${key}=${value ?? ''}`);
  }
  const { multiValueQueryStringParameters: _multi, queryStringParameters: _single, ...rest } = event;
  return pairs.length === 0 ? rest : { ...rest, path: `${event.path}?${pairs.join('&')}` };
}

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
    return (await proxy)(withRawQuery(event), context);
  };
}
