import { build, type TestConsole } from '../support/helper';

describe('Hardening', () => {
  let t: TestConsole;
  afterEach(async () => {
    await t.app.close();
  });

  it('sends a CSP without any script and with the stylesheet hash only', async () => {
    t = await build();
    const response = await t.app.inject({ url: '/auth/signed-out' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]{44}'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(response.body).not.toContain('<script');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('ignores X-Forwarded-Proto from a client when no proxy is trusted (no HSTS over http)', async () => {
    t = await build();
    const response = await t.app.inject({ url: '/healthz', headers: { 'x-forwarded-proto': 'https' } });
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('uses a Secure __Host- session cookie, and no other cookie, when the console is served over https', async () => {
    const plain = await build();
    await plain.app.close();
    t = await build({ auth: { ...plain.deps.auth, publicUrl: 'https://console.example.com' } });
    const response = await t.app.inject({ url: '/auth/login' });
    const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    const session = cookies.find((c) => c.startsWith('__Host-rez_session='));
    expect(session).toMatch(/; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(cookies).toHaveLength(1);
    expect(String(response.headers.location)).toContain(
      `redirect_uri=${encodeURIComponent('https://console.example.com/auth/callback')}`,
    );
  });

  it('sends the user back only to a path on this site after login', async () => {
    t = await build();
    for (const [asked, kept] of [
      ['/messages?status=failed', '/messages?status=failed'],
      ['//evil.example/x', '/'],
      ['/\\evil.example', '/'],
      ['/\t/evil.example', '/'],
      ['/\n/evil.example', '/'],
      ['/\tmessages', '/messages'],
      ['/.//evil.example', '/'],
      ['https://evil.example', '/'],
      ['http://localhost:3000/failed', '/failed'],
      ['/messages?created_by=名前', '/messages?created_by=%E5%90%8D%E5%89%8D'],
    ]) {
      const response = await t.app.inject({ url: `/auth/login?returnTo=${encodeURIComponent(asked)}` });
      const cookie = response.cookies.find((c) => c.name === 'rez_session')?.value as string;
      const session = t.app.openSession(cookie);
      expect({ asked, kept: session?.get('login')?.returnTo }).toEqual({ asked, kept });
    }
  });

  it('rate-limits the login', async () => {
    t = await build();
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await t.app.inject({ url: '/auth/login' })).statusCode);
    expect(statuses.slice(0, 20).every((s) => s === 302)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });

  it('shows a callback without a login in progress as a clear 400, not a crash', async () => {
    t = await build();
    const response = await t.app.inject({ url: '/auth/callback?code=abc&state=def' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('state mismatch');
  });

  it('shows the provider refusing the login in its own words, never the text in the URL, and only for this login', async () => {
    t = await build();
    const start = await t.app.inject({ url: '/auth/login' });
    const state = new URL(String(start.headers.location)).searchParams.get('state');
    const cookie = `rez_session=${start.cookies.find((c) => c.name === 'rez_session')?.value}`;
    const lure = encodeURIComponent('Your account is locked. Call +1 555 0100 now');

    // A forged error (no state, or another) neither shows the text nor ends the login under way.
    const forged = await t.app.inject({
      url: `/auth/callback?error=access_denied&error_description=${lure}&state=forged`,
      headers: { cookie },
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).not.toContain('555 0100');
    expect(forged.cookies).toEqual([]);

    const real = await t.app.inject({
      url: `/auth/callback?error=access_denied&error_description=${lure}&state=${state}`,
      headers: { cookie },
    });
    expect(real.statusCode).toBe(401);
    expect(real.body).toContain('the identity provider refused the login (access_denied)');
    expect(real.body).not.toContain('555 0100');

    const unknown = await t.app.inject({ url: '/auth/login' });
    const unknownCookie = `rez_session=${unknown.cookies.find((c) => c.name === 'rez_session')?.value}`;
    const unknownState = new URL(String(unknown.headers.location)).searchParams.get('state');
    const odd = await t.app.inject({
      url: `/auth/callback?error=${lure}&state=${unknownState}`,
      headers: { cookie: unknownCookie },
    });
    expect(odd.statusCode).toBe(401);
    expect(odd.body).toContain('an error this console does not know');
    expect(odd.body).not.toContain('555 0100');
  });

  it('answers unknown paths with an HTML 404 page', async () => {
    t = await build();
    const response = await t.app.inject({ url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/text\/html/);
  });
});
