import type { LightMyRequestResponse } from 'fastify';
import type { TestConsole } from './helper';

/** A cookie jar that ignores paths and domains: each jar serves one host. */
export class CookieJar {
  readonly values = new Map<string, string>();

  store(setCookie: string | string[] | undefined): void {
    for (const line of ([] as string[]).concat(setCookie ?? [])) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a),
      );
      if (expired) this.values.delete(name);
      else this.values.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.values].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface ProviderLogin {
  /** The console's answer to the callback. */
  callback: LightMyRequestResponse;
  /** The authorization request the console sent the browser to. */
  authorizationUrl: URL;
  /** The console's cookies after the callback (session included). */
  jar: CookieJar;
}

/**
 * Drives the whole login as a browser would, with plain HTTP: the console
 * (app.inject) sends us to the provider (real HTTP on 127.0.0.1), we follow
 * redirects, submit its sign-in form, and bring the code back to the console.
 * `editCallback` may change the callback URL first (a tampered state).
 */
export async function loginThroughProvider(
  t: TestConsole,
  credentials: { email: string; password: string },
  editCallback: (url: URL) => void = () => {},
): Promise<ProviderLogin> {
  const jar = new CookieJar();
  const start = await t.app.inject({ url: '/auth/login?returnTo=/messages' });
  if (start.statusCode !== 302) throw new Error(`/auth/login answered ${start.statusCode}: ${start.body}`);
  jar.store(start.headers['set-cookie']);
  const authorizationUrl = new URL(String(start.headers.location));

  const providerJar = new CookieJar();
  const publicUrl = t.deps.auth.publicUrl;
  let request: { url: URL; init: RequestInit } = { url: authorizationUrl, init: {} };
  for (let hop = 0; hop < 15; hop++) {
    const response = await fetch(request.url, {
      ...request.init,
      redirect: 'manual',
      headers: { ...(request.init.headers as Record<string, string>), cookie: providerJar.header() },
    });
    providerJar.store(response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, request.url);
      if (next.href.startsWith(`${publicUrl}/`)) {
        editCallback(next);
        const callback = await t.app.inject({
          url: `${next.pathname}${next.search}`,
          headers: { cookie: jar.header() },
        });
        jar.store(callback.headers['set-cookie']);
        return { callback, authorizationUrl, jar };
      }
      request = { url: next, init: {} };
      continue;
    }
    const html = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action) {
      throw new Error(`provider answered ${response.status} without a sign-in form: ${html.slice(0, 300)}`);
    }
    request = {
      url: new URL(action, request.url),
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(credentials).toString(),
      },
    };
  }
  throw new Error('the login took more than 15 redirects');
}
