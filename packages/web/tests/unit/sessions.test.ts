import type { RouteOptions } from 'fastify';
import { fakeGitHub, githubAuth, signInThroughGitHub } from '../support/github-fake';
import {
  build,
  formSession,
  injectWithLogin,
  loginCookie,
  TEST_USER,
  type TestConsole,
} from '../support/helper';

const BOB = { handle: 'bob', name: 'Bob', subject: 'github:2', entry: 'bob' };

/** The CSRF token on a page served to `cookie` (the form's hidden field), with the cookie the page set. */
async function tokenFor(t: TestConsole, cookie: string): Promise<{ token: string; cookie: string }> {
  const page = await t.app.inject({ url: '/sessions', headers: { cookie } });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  const updated = page.cookies.find((c) => c.name === 'rez_session');
  if (!token || !updated) throw new Error(`no CSRF token on /sessions (HTTP ${page.statusCode})`);
  return { token, cookie: `rez_session=${updated.value}` };
}

const post = (t: TestConsole, url: string, cookie: string, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

describe('Sessions end on the server', () => {
  let t: TestConsole;
  beforeEach(async () => {
    t = await build({ auth: { ...(await build()).deps.auth, allowedUsers: ['ana@example.com', 'bob'] } });
  });
  afterEach(async () => {
    await t.app.close();
  });

  it('signing out ends that session: a copy of its cookie opens no page and sends nothing afterwards', async () => {
    // Prepare: a signed-in browser, and a copy of its cookie taken before sign-out.
    const { token, cookie } = await formSession(t);
    const copy = cookie;

    // Act
    const logout = await post(t, '/auth/logout', cookie, { _csrf: token });

    // Assess
    expect(logout.statusCode).toBe(303);
    expect(logout.headers.location).toBe('/auth/signed-out');
    const page = await t.app.inject({ url: '/messages', headers: { cookie: copy } });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/auth/login?returnTo=%2Fmessages');
    const send = await post(t, '/messages', copy, { _csrf: token, type: 'notify', message: 'after logout' });
    expect(send.statusCode).toBe(401);
    expect(send.body).toContain('Your session has ended');
    expect(t.publisher.published).toEqual([]);
  });

  it('signing out of one browser leaves the same user’s other sessions alone', async () => {
    const laptop = await formSession(t);
    const phone = loginCookie(t);
    await post(t, '/auth/logout', laptop.cookie, { _csrf: laptop.token });
    expect((await t.app.inject({ url: '/', headers: { cookie: phone } })).statusCode).toBe(200);
  });

  it('refuses on every request a session whose user was taken off the allowlist since, with a 403', async () => {
    // Prepare: Bob signed in while on the list; the console restarts without him (a config change).
    const cookie = loginCookie(t, BOB);
    expect((await t.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(200);
    const after = await build({
      auth: { ...t.deps.auth, allowedUsers: ['ana@example.com'] },
      store: t.store,
    });
    try {
      for (const request of [
        { url: '/' },
        { url: '/messages' },
        { method: 'POST' as const, url: '/messages', payload: { type: 'notify', message: 'x' } },
      ]) {
        const response = await after.app.inject({ ...request, headers: { cookie } });
        expect({ url: request.url, status: response.statusCode }).toEqual({ url: request.url, status: 403 });
        expect(response.body).toContain('bob is not on this console');
        expect(String(response.headers['set-cookie'])).toMatch(/^rez_session=; Max-Age=0/);
      }
      expect(after.publisher.published).toEqual([]);
    } finally {
      await after.app.close();
    }
  });

  it('refuses a session sealed for someone never on the allowlist (a forged or stale seal)', async () => {
    const cookie = loginCookie(t, { ...BOB, handle: 'mallory', entry: 'mallory' });
    expect((await t.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(403);
  });

  it('refuses a cookie sealed before sessions had ids (no sid, epoch or entry) as no session', async () => {
    const { entry: _entry, ...oldUser } = TEST_USER;
    const cookie = `rez_session=${t.app.sealSession({
      user: oldUser as typeof TEST_USER,
      expiresAt: t.clock.now().getTime() + 3_600_000,
    })}`;
    expect((await t.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(302);
  });

  it('lets an operator end every session of another user, who can sign in again while allowed', async () => {
    // Prepare: Bob on two browsers; Ana at the sessions page.
    const bobLaptop = loginCookie(t, BOB);
    const bobPhone = loginCookie(t, BOB);
    const ana = await tokenFor(t, loginCookie(t));

    // Act
    const ended = await post(t, '/sessions/end', ana.cookie, { _csrf: ana.token, user: ' Bob ' });

    // Assess
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/sessions?ended=bob');
    for (const cookie of [bobLaptop, bobPhone])
      expect((await t.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(302);
    expect((await t.app.inject({ url: '/', headers: { cookie: ana.cookie } })).statusCode).toBe(200);
    const page = await injectWithLogin(t, { url: '/sessions?ended=bob' });
    expect(page.body).toContain('Every session of <strong>bob</strong> has ended');
    // A sign-in after that is under the new epoch, and lives.
    expect(
      (await t.app.inject({ url: '/', headers: { cookie: loginCookie(t, BOB, { epoch: 1 }) } })).statusCode,
    ).toBe(200);
  });

  it('ends the operator’s own session too when they end their own sessions', async () => {
    const ana = await tokenFor(t, loginCookie(t));
    const ended = await post(t, '/sessions/end', ana.cookie, { _csrf: ana.token, user: 'ana@example.com' });
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/auth/signed-out');
    expect((await t.app.inject({ url: '/', headers: { cookie: ana.cookie } })).statusCode).toBe(302);
  });

  it.each([
    ['an empty name', '   '],
    ['a control character', 'bob\u0007'],
    ['a name over 254 characters', `${'b'.repeat(255)}`],
  ])('refuses to end the sessions of %s with a 400, ending nothing', async (_name, user) => {
    const ana = await tokenFor(t, loginCookie(t));
    const response = await post(t, '/sessions/end', ana.cookie, { _csrf: ana.token, user });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('user');
    expect((await t.store.consoleSessionState('bob')).epoch).toBe(0);
  });

  it('fails closed when the session record cannot be read: a 500, not a page', async () => {
    const cookie = loginCookie(t);
    t.store.consoleSessionState = async () => {
      throw new Error('DynamoDB unavailable');
    };
    const response = await t.app.inject({ url: '/messages', headers: { cookie } });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('<h1>Messages</h1>');
  });
});

describe('Sign-in through the provider starts a session the server can end', () => {
  let t: TestConsole;
  afterEach(async () => {
    await t.app.close();
  });

  it('signs in under the user’s current epoch: after their sessions were ended, a new sign-in lives', async () => {
    const github = fakeGitHub({ id: 2, login: 'Bob', emails: [] });
    t = await build({ auth: githubAuth(github.fetch, ['bob']) });
    await t.store.endConsoleSessions('bob');
    await t.store.endConsoleSessions('bob');

    const signIn = await signInThroughGitHub(t, { returnTo: '/messages' });

    expect(signIn.status).toBe(303);
    expect(signIn.location).toBe('/messages');
    const session = t.app.openSession(String(signIn.cookie?.slice('rez_session='.length)));
    expect(session?.get('epoch')).toBe(2);
    expect(session?.get('sid')).toMatch(/^[\w-]{32}$/);
    expect(
      (await t.app.inject({ url: '/messages', headers: { cookie: String(signIn.cookie) } })).statusCode,
    ).toBe(200);
  });

  it('answers a replayed authorization code with a 400 page, not a 502', async () => {
    const github = fakeGitHub({ id: 2, login: 'bob', emails: [] });
    t = await build({ auth: githubAuth(github.fetch, ['bob']) });
    expect((await signInThroughGitHub(t, { code: 'same-code' })).status).toBe(303);

    const replay = await signInThroughGitHub(t, { code: 'same-code' });

    expect(replay.status).toBe(400);
    expect(replay.body).toContain('would not redeem this sign-in (bad_verification_code');
  });
});

describe('Every route that changes something checks the CSRF token, without asking for it', () => {
  it('refuses every unsafe route of the route table without a token, signed in (403)', async () => {
    const routes: Pick<RouteOptions, 'method' | 'url' | 'config'>[] = [];
    const t = await build(
      {},
      { onRoute: (route) => routes.push({ method: route.method, url: route.url, config: route.config }) },
    );
    try {
      const changing = routes.filter((r) =>
        ([] as string[])
          .concat(r.method as string)
          .some((m) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m)),
      );
      // The one route authenticated another way: a push button's signed one-time link.
      expect(changing.filter((r) => r.config?.csrf === false).map((r) => r.url)).toEqual(['/actions/:token']);
      const unsafe = changing.filter((r) => r.config?.csrf !== false);
      expect(unsafe.map((r) => r.url).sort()).toEqual(
        expect.arrayContaining(['/auth/logout', '/failed/redrive', '/messages', '/sessions/end']),
      );
      for (const route of unsafe) {
        const response = await t.app.inject({
          method: 'POST',
          url: String(route.url),
          headers: { cookie: loginCookie(t), 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'type=notify&message=x&user=bob',
        });
        expect({ url: route.url, status: response.statusCode }).toEqual({ url: route.url, status: 403 });
      }
      expect(t.publisher.published).toEqual([]);
      expect((await t.store.consoleSessionState('bob')).epoch).toBe(0);
    } finally {
      await t.app.close();
    }
  });
});
