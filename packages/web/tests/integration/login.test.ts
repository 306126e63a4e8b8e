import { build, TEST_KEY, type TestConsole } from '../support/helper';
import { loginThroughProvider } from '../support/oidc-driver';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: test/setup/oidc.mjs starts the dev provider in globalSetup`);
  return value;
};

const dev = () => ({ email: env('REZ_TEST_OIDC_EMAIL'), password: env('REZ_TEST_OIDC_PASSWORD') });

async function consoleFor(allowedUsers: string[]): Promise<TestConsole> {
  return build({
    auth: {
      provider: { kind: 'oidc', issuer: env('REZ_TEST_OIDC_ISSUER') },
      clientId: env('REZ_TEST_OIDC_CLIENT_ID'),
      clientSecret: env('REZ_TEST_OIDC_CLIENT_SECRET'),
      allowedUsers,
      sessionKeys: [TEST_KEY],
      publicUrl: 'http://127.0.0.1:3000',
    },
  });
}

describe('Login: OAuth2 code + PKCE against the dev oidc-provider', () => {
  let t: TestConsole;
  afterEach(async () => {
    await t?.app.close();
  });

  it('signs an allowed user in through discovery, PKCE S256 and a verified id_token, then returns to the page asked for', async () => {
    t = await consoleFor(['dev@rez.local']);

    const { callback, authorizationUrl, jar } = await loginThroughProvider(t, dev());

    expect(authorizationUrl.origin).toBe(env('REZ_TEST_OIDC_ISSUER'));
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorizationUrl.searchParams.get('nonce')).toMatch(/^[\w-]{32}$/);
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/messages');
    const page = await t.app.inject({ url: '/messages', headers: { cookie: jar.header() } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('dev@rez.local');
  });

  it('shows a 403 page to someone the provider signed in but who is not on the allowlist, and keeps them out', async () => {
    t = await consoleFor(['ana@example.com', 'octocat']);

    const { callback, jar } = await loginThroughProvider(t, dev());

    expect(callback.statusCode).toBe(403);
    expect(callback.headers['content-type']).toMatch(/text\/html/);
    expect(callback.body).toContain('Not allowed');
    expect(callback.body).toContain('dev@rez.local is not on this console');
    const page = await t.app.inject({ url: '/', headers: { cookie: jar.header() } });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/auth/login?returnTo=%2F');
  });

  it('refuses a callback whose state was tampered with, before any code exchange', async () => {
    t = await consoleFor(['dev@rez.local']);

    const { callback, jar } = await loginThroughProvider(t, dev(), (url) => {
      url.searchParams.set('state', `${url.searchParams.get('state')}x`);
    });

    expect(callback.statusCode).toBe(400);
    expect(callback.body).toContain('state mismatch');
    const page = await t.app.inject({ url: '/', headers: { cookie: jar.header() } });
    expect(page.statusCode).toBe(302);
  });

  it('answers a replayed authorization code (another login, another PKCE verifier) with a 400 page, not a 502', async () => {
    t = await consoleFor(['dev@rez.local']);
    let used: URL | undefined;
    const first = await loginThroughProvider(t, dev(), (url) => {
      used = new URL(url);
    });
    expect(first.callback.statusCode).toBe(303);

    // The same code again, brought back to a login this browser really started.
    const again = await t.app.inject({ url: '/auth/login' });
    const state = new URL(String(again.headers.location)).searchParams.get('state') ?? '';
    const cookie = `rez_session=${again.cookies.find((c) => c.name === 'rez_session')?.value}`;
    const replayed = new URL(String(used));
    replayed.searchParams.set('state', state);
    const replay = await t.app.inject({ url: `${replayed.pathname}${replayed.search}`, headers: { cookie } });

    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('would not redeem this sign-in (invalid_grant');
  });

  it('refuses a session past its 12 hours, on pages and on posts, even though the cookie still decrypts', async () => {
    t = await consoleFor(['dev@rez.local']);
    const { jar } = await loginThroughProvider(t, dev());
    expect((await t.app.inject({ url: '/', headers: { cookie: jar.header() } })).statusCode).toBe(200);

    t.clock.advance(12 * 3_600_000 + 1_000);

    const page = await t.app.inject({ url: '/', headers: { cookie: jar.header() } });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/auth/login?returnTo=%2F');
    const post = await t.app.inject({
      method: 'POST',
      url: '/messages',
      headers: { cookie: jar.header() },
      payload: { type: 'notify', message: 'late' },
    });
    expect(post.statusCode).toBe(401);
    expect(post.body).toContain('Your session has expired');
    expect(t.publisher.published).toHaveLength(0);
  });
});
