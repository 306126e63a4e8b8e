import type { ALBEvent, Context } from 'aws-lambda';
import type { FastifyInstance } from 'fastify';
import { awsEvent } from '../../../../test/fixtures';
import { createAlbHandler } from '../../src/lambda-handler';
import { startConsole } from '../../src/server';
import { build, loginCookie, type TestConsole } from '../support/helper';

const context = { awsRequestId: 'req-1', functionName: 'rez-web' } as Context;

/** The answer to GET `path?query` through each entry: the local HTTP server and both ALB samples. */
type Entry = (path: string, query: string, cookie?: string) => Promise<{ status: number; body: string }>;

describe('Query strings read the same locally and behind the ALB', () => {
  let t: TestConsole;
  let local: FastifyInstance;
  let entries: [string, Entry][];

  beforeAll(async () => {
    t = await build({ trustProxy: 1 });
    const listening = await startConsole(t.deps, { port: 0 });
    local = listening.app;
    const alb = createAlbHandler(async () => t.app);
    const viaAlb =
      (sample: string, multi: boolean): Entry =>
      async (path, query, cookie) => {
        const base = awsEvent<ALBEvent>(sample);
        const pairs = query.split('&').map((pair) => {
          const eq = pair.indexOf('=');
          return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
        });
        // What the ALB hands over: the parameters as the client sent them, undecoded.
        const event: ALBEvent = multi
          ? {
              ...base,
              path,
              multiValueQueryStringParameters: Object.fromEntries(pairs.map(([k, v]) => [k, [v]])),
              multiValueHeaders: { ...base.multiValueHeaders, ...(cookie ? { cookie: [cookie] } : {}) },
            }
          : {
              ...base,
              path,
              queryStringParameters: Object.fromEntries(pairs),
              headers: { ...base.headers, ...(cookie ? { cookie } : {}) },
            };
        const result = await alb(event, context);
        return { status: result.statusCode, body: String(result.body) };
      };
    entries = [
      [
        'local HTTP server',
        async (path, query, cookie) => {
          const response = await fetch(`${listening.url}${path}?${query}`, {
            headers: cookie ? { cookie } : {},
            redirect: 'manual',
          });
          return { status: response.status, body: await response.text() };
        },
      ],
      ['ALB, single-value sample', viaAlb('alb-lambda-target-request-headers-only', false)],
      ['ALB, multi-value sample', viaAlb('alb-lambda-target-request-multivalue-headers', true)],
    ];
  });
  afterAll(async () => {
    await local.close();
    await t.app.close();
  });

  it('refuses a malformed percent-encoding with a 400 page on an open route, instead of a Lambda error', async () => {
    for (const [name, entry] of entries) {
      const { status, body } = await entry('/healthz', 'x=%ZZ');
      expect({ name, status }).toEqual({ name, status: 400 });
      expect(body).toContain('The query string of this address is malformed');
    }
  });

  it('reads + as a space and %2B as a plus, from a GET form filter', async () => {
    for (const [name, entry] of entries) {
      const { status, body } = await entry('/messages', 'created_by=web%3Aana+b%2Bc&status=', loginCookie(t));
      expect({ name, status }).toEqual({ name, status: 200 });
      expect({ name, field: /name="created_by" value="([^"]*)"/.exec(body)?.[1] }).toEqual({
        name,
        field: 'web:ana b+c',
      });
    }
  });
});
