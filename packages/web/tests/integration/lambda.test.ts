import type { ALBEvent, ALBResult, Context } from 'aws-lambda';
import { awsEvent } from '../../../../test/fixtures';
import { createAlbHandler } from '../../src/lambda-handler';
import { build, loginCookie, type TestConsole } from '../support/helper';

const fixture = (name: string): ALBEvent => awsEvent<ALBEvent>(name.replace(/\.json$/, ''));
const context = { awsRequestId: 'req-1', functionName: 'rez-web' } as Context;

describe('Lambda entry: the console behind an ALB', () => {
  let t: TestConsole;
  let handler: (event: ALBEvent, context: Context) => Promise<ALBResult>;
  let builds: number;

  beforeEach(async () => {
    builds = 0;
    t = await build({ trustProxy: 1 });
    handler = createAlbHandler(async () => {
      builds += 1;
      return t.app;
    });
  });
  afterEach(async () => {
    await t.app.close();
  });

  it('answers the single-value-header sample, keeping its query string through the login redirect', async () => {
    const result = await handler(fixture('alb-lambda-target-request-headers-only.json'), context);

    expect(result.statusCode).toBe(302);
    expect(result.multiValueHeaders?.location).toEqual(['/auth/login?returnTo=%2F%3Fkey%3Dhello']);
  });

  it('answers /healthz from the multi-value-header sample with multi-value headers', async () => {
    const event = { ...fixture('alb-lambda-target-request-multivalue-headers.json'), path: '/healthz' };

    const result = await handler(event, context);

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(String(result.body))).toEqual({ status: 'ok' });
    expect(result.multiValueHeaders?.['content-type']).toEqual(['application/json; charset=utf-8']);
  });

  it('starts a login with the session cookie in multiValueHeaders, PKCE state and verifier sealed inside it', async () => {
    const event = { ...fixture('alb-lambda-target-request-multivalue-headers.json'), path: '/auth/login' };

    const result = await handler(event, context);

    expect(result.statusCode).toBe(302);
    expect(String(result.multiValueHeaders?.location?.[0])).toMatch(/code_challenge_method=S256/);
    const cookies = (result.multiValueHeaders?.['set-cookie'] ?? []).map(String);
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['rez_session']);
    expect(cookies[0]).toMatch(/HttpOnly; SameSite=Lax$/);
  });

  it('serves a signed-in page from the cookie in multiValueHeaders, with HSTS when the ALB saw https', async () => {
    const base = fixture('alb-lambda-target-request-multivalue-headers.json');
    const event: ALBEvent = {
      ...base,
      multiValueQueryStringParameters: { window: ['1h'] },
      multiValueHeaders: {
        ...base.multiValueHeaders,
        cookie: [loginCookie(t)],
        'x-forwarded-proto': ['https'],
      },
    };

    const result = await handler(event, context);

    expect(result.statusCode).toBe(200);
    expect(String(result.body)).toContain('<h1>Dashboard</h1>');
    expect(result.multiValueHeaders?.['strict-transport-security']).toEqual([
      'max-age=31536000; includeSubDomains',
    ]);
    expect(result.multiValueHeaders?.['content-security-policy']?.[0]).toContain("script-src 'none'");
  });

  it('sends no HSTS over plain http, and builds the app once for many events', async () => {
    const event = { ...fixture('alb-lambda-target-request-headers-only.json'), path: '/healthz' };

    const first = await handler(event, context);
    await handler(event, context);

    expect(first.multiValueHeaders?.['strict-transport-security']).toBeUndefined();
    expect(builds).toBe(1);
  });

  it('retries a failed start on the next event instead of caching the failure', async () => {
    let attempts = 0;
    const flaky = createAlbHandler(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('discovery down');
      return t.app;
    });
    const event = { ...fixture('alb-lambda-target-request-headers-only.json'), path: '/healthz' };

    await expect(flaky(event, context)).rejects.toThrow('discovery down');
    expect((await flaky(event, context)).statusCode).toBe(200);
  });
});
