import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { loginCookie, type TestConsole } from '../../testing';

export * from '../../testing';

/** app.inject as a signed-in user (the cookie header is added to the request's own). */
export function injectWithLogin(t: TestConsole, options: InjectOptions): Promise<LightMyRequestResponse> {
  return t.app.inject({ ...options, headers: { ...options.headers, cookie: loginCookie(t) } });
}

/**
 * Opens the new-message form as a signed-in user and returns its CSRF token
 * with the session cookie that holds the token's secret.
 */
export async function formSession(t: TestConsole): Promise<{ token: string; cookie: string }> {
  const cookie = loginCookie(t);
  const response = await t.app.inject({ url: '/messages/new', headers: { cookie } });
  const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
  const updated = response.cookies.find((c) => c.name === 'rez_session');
  if (!token || !updated)
    throw new Error(`no CSRF token or session cookie in the form (HTTP ${response.statusCode})`);
  return { token, cookie: `rez_session=${encodeURIComponent(updated.value)}` };
}
