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
  return consoleUrl(publicUrl, CONSOLE_CALLBACK_PATH);
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

/** Where a push action's signed link is answered: `<public URL>/actions/<token>`. */
export const PUSH_ACTION_PATH = '/actions';

/** `publicUrl` with a console `path` appended; a trailing slash on the public URL is ignored. */
export function consoleUrl(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${path}`;
}

/**
 * The console page of a stored message as a full URL: what a push opens
 * when it is tapped, and its "Open" button.
 *
 * @example
 * consoleMessageUrl('http://localhost:3000', '01JQ0000000000000000000000') // 'http://localhost:3000/messages/01JQ0000000000000000000000'
 */
export function consoleMessageUrl(publicUrl: string, id: string): string {
  return consoleUrl(publicUrl, consoleMessagePath(id));
}

/**
 * The message history filtered to the messages one digest push named
 * (`/messages?digest=<id>`): the digest's "Open" button.
 */
export function consoleDigestPath(digestId: string): string {
  return `/messages?digest=${encodeURIComponent(digestId)}`;
}

/** The signed link of one push action button (see signPushAction): `<public URL>/actions/<token>`. */
export function pushActionUrl(publicUrl: string, token: string): string {
  return consoleUrl(publicUrl, `${PUSH_ACTION_PATH}/${token}`);
}
