import type { AuthConfig } from '../../src/deps';
import { TEST_KEY, type TestConsole } from './helper';

/** The GitHub account a fake GitHub signs in, as its API describes it. */
export interface GitHubAccount {
  id: number;
  login: string;
  name?: string;
  emails: { email: string; verified: unknown; primary?: boolean }[];
}

/**
 * GitHub's OAuth endpoints and API as the console's `auth.fetch` sees them:
 * a code is good once (then `bad_verification_code`, as GitHub answers a
 * replay) and must come with the PKCE verifier of its login.
 */
export function fakeGitHub(account: GitHubAccount): { fetch: typeof fetch; account: GitHubAccount } {
  const redeemed = new Set<string>();
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetcher = async (input: string | URL, init: RequestInit = {}) => {
    const url = String(input);
    if (url === 'https://github.com/login/oauth/access_token') {
      const form = new URLSearchParams(String(init.body));
      const code = form.get('code') ?? '';
      if (redeemed.has(code) || !/^[\w-]{43,128}$/.test(form.get('code_verifier') ?? ''))
        return json({
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        });
      redeemed.add(code);
      return json({ access_token: `gho_${code}`, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    if (url === 'https://api.github.com/user')
      return json({ id: account.id, login: account.login, name: account.name });
    if (url === 'https://api.github.com/user/emails') return json(account.emails);
    return json({ message: 'Not Found' }, 404);
  };
  return { fetch: fetcher as typeof fetch, account };
}

/** The console's auth settings for signing in through a fake GitHub (see {@link fakeGitHub}). */
export function githubAuth(fetcher: typeof fetch, allowedUsers: string[]): AuthConfig {
  return {
    provider: { kind: 'github' },
    clientId: 'rez-console',
    clientSecret: 'secret',
    allowedUsers,
    sessionKeys: [TEST_KEY],
    publicUrl: 'http://localhost:3000',
    fetch: fetcher,
  };
}

let client = 0;

/**
 * A whole sign-in as a browser makes it, each from its own address (the
 * login is rate-limited per IP): /auth/login (with `returnTo`),
 * then the callback GitHub would send, with the code `code`. Returns the
 * callback's answer and the session cookie it set (if any).
 */
export async function signInThroughGitHub(
  t: TestConsole,
  options: { returnTo?: string; code?: string } = {},
): Promise<{ status: number; location: string | undefined; cookie: string | undefined; body: string }> {
  const query = options.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(options.returnTo)}`;
  client += 1;
  const remoteAddress = `10.77.${(client >> 8) & 255}.${client & 255}`;
  const start = await t.app.inject({ url: `/auth/login${query}`, remoteAddress });
  if (start.statusCode !== 302)
    throw new Error(`/auth/login answered ${start.statusCode}: ${start.body.slice(0, 200)}`);
  const state = new URL(String(start.headers.location)).searchParams.get('state') ?? '';
  const loginCookie = `rez_session=${start.cookies.find((c) => c.name === 'rez_session')?.value}`;
  const code = options.code ?? `code-${Math.random().toString(36).slice(2)}`;
  const callback = await t.app.inject({
    url: `/auth/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
    headers: { cookie: loginCookie },
    remoteAddress,
  });
  const session = callback.cookies.find((c) => c.name === 'rez_session');
  return {
    status: callback.statusCode,
    location: callback.headers.location as string | undefined,
    cookie: session?.value ? `rez_session=${session.value}` : undefined,
    body: callback.body,
  };
}
