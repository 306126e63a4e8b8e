import type { RouteOptions } from 'fastify';
import { build, loginCookie, type TestConsole } from '../support/helper';

/**
 * Routes any visitor may reach: the health check, the login flow itself, and
 * push action links, whose signed one-time token is their credential
 * (tests/unit/push-actions.test.ts refuses every link that is not one).
 */
const PUBLIC = /^\/(healthz|auth|actions)(\/|$)/;

describe('Route table: every route but /healthz, /auth/* and /actions/<token> refuses an anonymous request', () => {
  let t: TestConsole;
  const routes: Pick<RouteOptions, 'method' | 'url'>[] = [];

  beforeAll(async () => {
    t = await build({}, { onRoute: (route) => routes.push({ method: route.method, url: route.url }) });
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('finds the guarded and public routes in the route table', async () => {
    const urls = new Set(routes.map((r) => String(r.url).replace(/\/$/, '') || '/'));
    for (const path of [
      '/',
      '/healthz',
      '/auth/login',
      '/auth/callback',
      '/auth/logout',
      '/messages',
      '/messages/new',
      '/messages/:id',
      '/failed',
      '/failed/redrive',
    ]) {
      expect(urls).toContain(path);
    }
  });

  it('redirects anonymous GETs to the login and answers other methods 401, without running the handler', async () => {
    const guarded = routes.filter((r) => !PUBLIC.test(String(r.url)));
    expect(guarded.length).toBeGreaterThanOrEqual(7);
    for (const route of guarded) {
      for (const method of ([] as string[]).concat(route.method as string | string[])) {
        const url = String(route.url).replace(':id', '01JNB0X5V3B6B2Y9Q4T8Z6K1MC');
        const response = await t.app.inject({
          method: method as 'GET',
          url,
          payload: method === 'POST' ? { type: 'notify', message: 'x' } : undefined,
        });
        if (method === 'GET' || method === 'HEAD') {
          expect({ method, url, status: response.statusCode }).toEqual({ method, url, status: 302 });
          expect(response.headers.location).toMatch(/^\/auth\/login\?returnTo=/);
        } else {
          expect({ method, url, status: response.statusCode }).toEqual({ method, url, status: 401 });
        }
      }
    }
    expect(t.publisher.published).toHaveLength(0);
    expect(t.queue.redriven).toHaveLength(0);
  });

  it('marks every answer of every route Cache-Control: no-store, signed in or not (no page stays in a cache)', async () => {
    for (const route of routes) {
      for (const method of ([] as string[]).concat(route.method as string | string[])) {
        for (const cookie of [undefined, loginCookie(t)]) {
          const url = String(route.url).replace(':id', '01JNB0X5V3B6B2Y9Q4T8Z6K1MC');
          const headers = cookie === undefined ? {} : { cookie };
          const response = await t.app.inject({ method: method as 'GET', url, headers });
          const seen = {
            method,
            url,
            signedIn: cookie !== undefined,
            cache: response.headers['cache-control'],
          };
          expect(seen).toEqual({ ...seen, cache: 'no-store' });
        }
      }
    }
    expect((await t.app.inject({ url: '/nowhere' })).headers['cache-control']).toBe('no-store');
  });

  it('answers /healthz to anyone, with no session', async () => {
    const response = await t.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('refuses a session cookie sealed with a key the app does not hold', async () => {
    const other = await build({ auth: { ...t.deps.auth, sessionKeys: [Buffer.alloc(32, 9)] } });
    const foreign = loginCookie(other);
    await other.app.close();
    const response = await t.app.inject({ url: '/', headers: { cookie: foreign } });
    expect(response.statusCode).toBe(302);
  });

  it('accepts a cookie sealed with a retired key still listed for rotation', async () => {
    const old = await build({ auth: { ...t.deps.auth, sessionKeys: [Buffer.alloc(32, 9)] } });
    const cookie = loginCookie(old);
    await old.app.close();
    const rotated = await build({
      auth: { ...t.deps.auth, sessionKeys: [Buffer.alloc(32, 1), Buffer.alloc(32, 9)] },
    });
    const response = await rotated.app.inject({ url: '/', headers: { cookie } });
    await rotated.app.close();
    expect(response.statusCode).toBe(200);
  });
});
