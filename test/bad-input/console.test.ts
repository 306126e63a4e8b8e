import type { ALBEvent, Context } from 'aws-lambda';
import { createAlbHandler } from '../../packages/web/src/lambda-handler';
import { fakeGitHub, githubAuth, signInThroughGitHub } from '../../packages/web/tests/support/github-fake';
import {
  build,
  injectWithLogin,
  loginCookie,
  type TestConsole,
} from '../../packages/web/tests/support/helper';
import { awsEvent } from '../fixtures';
import {
  CALLBACK_CASES,
  CURSOR_CASES,
  LURE,
  MALFORMED_QUERIES,
  RETURN_TO_CASES,
  SESSION_CASES,
  SESSION_CASES_SETUP,
} from './corpus';

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

  describe('returnTo: where a sign-in ends', () => {
    let gh: TestConsole;
    beforeAll(async () => {
      gh = await build({
        auth: githubAuth(fakeGitHub({ id: 7, login: 'octocat', emails: [] }).fetch, ['octocat']),
      });
    });
    afterAll(async () => {
      await gh.app.close();
    });

    it.each(RETURN_TO_CASES)(
      '%s: signed in, and sent to a path of the console itself',
      async (_name, returnTo) => {
        const signIn = await signInThroughGitHub(gh, { returnTo });
        expect({
          status: signIn.status,
          body: signIn.status === 303 ? '' : signIn.body.slice(0, 300),
        }).toEqual({
          status: 303,
          body: '',
        });
        const location = String(signIn.location);
        const origin = new URL(gh.deps.auth.publicUrl).origin;
        expect({ location, origin: new URL(location, `${origin}/`).origin }).toEqual({ location, origin });
        // A path, in printable ASCII, that no browser reads as another host.
        expect(location).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
        expect(signIn.cookie).toBeDefined();
      },
    );
  });

  describe('the provider callback, with a login under way', () => {
    it.each(CALLBACK_CASES)('%s: a 4xx page, nobody signed in, no lure shown', async (_name, query) => {
      const start = await t.app.inject({ url: '/auth/login' });
      const state = new URL(String(start.headers.location)).searchParams.get('state') ?? '';
      const cookie = `rez_session=${start.cookies.find((c) => c.name === 'rez_session')?.value}`;

      const response = await t.app.inject({
        url: `/auth/callback?${query.replace('{state}', encodeURIComponent(state))}`,
        headers: { cookie },
        remoteAddress: `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
      });

      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.body).not.toContain('555 0100');
      expect(response.body).not.toContain('<script>alert');
      expect(response.body).not.toContain(LURE.slice(0, 20));
      const set = response.cookies.find((c) => c.name === 'rez_session');
      expect(set?.value ? t.app.openSession(set.value)?.get('user') : undefined).toBeUndefined();
    });
  });

  describe('session cookies: tampered, stale or ended', () => {
    let s: TestConsole;
    beforeAll(async () => {
      s = await build({ auth: { ...t.deps.auth, allowedUsers: SESSION_CASES_SETUP.allowedUsers } });
      const now = s.clock.now().getTime();
      await s.store.revokeConsoleSession(
        SESSION_CASES_SETUP.signedOut.user,
        { id: SESSION_CASES_SETUP.signedOut.sid, expiresAt: now + 3_600_000 },
        s.clock.now(),
      );
      await s.store.endConsoleSessions(SESSION_CASES_SETUP.endedUser);
    });
    afterAll(async () => {
      await s.app.close();
    });

    it.each(SESSION_CASES.map((c) => [c.name, c] as const))(
      '%s: no page, no post, nothing sent',
      async (_name, c) => {
        const now = s.clock.now().getTime();
        const cookie = c.cookie({
          seal: (data) => s.app.sealSession(data as never),
          valid: s.app.sealSession({
            user: { handle: 'ana@example.com', name: 'Ana', subject: 'sub-ana', entry: 'ana@example.com' },
            expiresAt: now + 3_600_000,
            sid: 'valid-000000000000000000000000000',
            epoch: 0,
          }),
          now,
        });
        const page = await s.app.inject({ url: '/messages', headers: { cookie } });
        const send = await s.app.inject({
          method: 'POST',
          url: '/messages',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'type=notify&message=forged',
          remoteAddress: `10.8.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
        });
        if (c.outcome === 'forbidden') {
          expect([page.statusCode, send.statusCode]).toEqual([403, 403]);
        } else {
          expect(page.statusCode).toBe(302);
          expect(page.headers.location).toBe('/auth/login?returnTo=%2Fmessages');
          expect(send.statusCode).toBe(401);
        }
        expect(s.publisher.published).toEqual([]);
      },
    );

    it('(control) the same session, live and allowed, opens the page', async () => {
      const now = s.clock.now().getTime();
      const cookie = `rez_session=${s.app.sealSession({ user: { handle: 'ana@example.com', name: 'Ana', subject: 'sub-ana', entry: 'ana@example.com' }, expiresAt: now + 3_600_000, sid: 'sid-live-0000000000000000000000000', epoch: 0 })}`;
      expect((await s.app.inject({ url: '/messages', headers: { cookie } })).statusCode).toBe(200);
    });
  });
});
