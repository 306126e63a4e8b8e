import type { ALBEvent, Context } from 'aws-lambda';
import { createAlbHandler } from '../../packages/web/src/lambda-handler';
import {
  build,
  injectWithLogin,
  loginCookie,
  type TestConsole,
} from '../../packages/web/tests/support/helper';
import { awsEvent } from '../fixtures';
import { CURSOR_CASES, MALFORMED_QUERIES } from './corpus';

/** A refusal page: 4xx HTML that names `field`, and no stack trace. */
function expectRefusal(
  response: { statusCode: number; body: string; headers: Record<string, unknown> },
  field: string,
) {
  expect({ status: response.statusCode, body: response.body.slice(0, 300) }).toEqual({
    status: 400,
    body: expect.any(String),
  });
  expect(response.headers['content-type']).toMatch(/text\/html/);
  expect(response.body).toContain(field);
  expect(response.body).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('Bad input: the console beyond its form', () => {
  let t: TestConsole;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });

  describe('list cursors (/messages?cursor=…)', () => {
    it.each(CURSOR_CASES.map((cursor) => [JSON.stringify(cursor).slice(0, 60), cursor] as const))(
      '%s: a 400 page naming the cursor',
      async (_name, cursor) => {
        const response = await injectWithLogin(t, { url: `/messages?cursor=${encodeURIComponent(cursor)}` });
        expectRefusal(response, 'cursor');
      },
    );
  });

  describe('malformed query strings, locally (inject) and behind the ALB', () => {
    const routes = ['/healthz', '/auth/login', '/auth/callback', '/messages', '/nowhere'];
    let behindAlb: TestConsole;
    let alb: ReturnType<typeof createAlbHandler>;
    beforeAll(async () => {
      // The ALB entry wraps an app before it starts: one of its own.
      behindAlb = await build({ trustProxy: 1 });
      alb = createAlbHandler(async () => behindAlb.app);
    });
    afterAll(async () => {
      await behindAlb.app.close();
    });
    it.each(MALFORMED_QUERIES)(
      '%s (?%s): a 400 page on every route, never a Lambda error',
      async (_name, query) => {
        const sample = awsEvent<ALBEvent>('alb-lambda-target-request-multivalue-headers');
        for (const path of routes) {
          const cookie = loginCookie(t);
          const local = await t.app.inject({ url: `${path}?${query}`, headers: { cookie } });
          expectRefusal(local, 'query string');
          const pairs = query.split('&').map((pair) => [pair.split('=')[0], [pair.split('=')[1] ?? '']]);
          const result = await alb(
            {
              ...sample,
              path,
              multiValueQueryStringParameters: Object.fromEntries(pairs),
              multiValueHeaders: { ...sample.multiValueHeaders, cookie: [loginCookie(behindAlb)] },
            },
            { awsRequestId: 'bad-input' } as Context,
          );
          expect({ path, status: result.statusCode }).toEqual({ path, status: 400 });
        }
      },
    );
  });
});
