/**
 * Where the ops console answers, relative to its public URL: the one home of
 * these paths for the web app that serves them, the local runtime and the
 * Pulumi program that register them with an OpenID provider.
 */

/** The OAuth2 redirect URI's path: register `<public URL>/auth/callback` with the provider. */
export const CONSOLE_CALLBACK_PATH = '/auth/callback';

/**
 * The console's callback URL for a public URL (`https://d1.cloudfront.net`,
 * `http://localhost:3000`); a trailing slash on the public URL is ignored.
 *
 * @example
 * consoleCallbackUrl('https://rez.example.com/') // 'https://rez.example.com/auth/callback'
 */
export function consoleCallbackUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${CONSOLE_CALLBACK_PATH}`;
}

/**
 * The console page of a stored message (`/messages/<id>`), the id
 * percent-encoded: links to ids from outside (a dead letter's body) stay
 * on that page.
 *
 * @example
 * consoleMessagePath('invalid-059f36b4-87a3') // '/messages/invalid-059f36b4-87a3'
 */
export function consoleMessagePath(id: string): string {
  return `/messages/${encodeURIComponent(id)}`;
}
