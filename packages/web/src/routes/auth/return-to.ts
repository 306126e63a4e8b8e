/**
 * Where to send someone after sign-in: `value` resolved against the
 * console's own origin (`publicUrl`) as a browser resolves a Location —
 * backslashes as slashes, tabs and newlines dropped — and kept only when
 * it stays on that origin, as its path, query and fragment; anything else
 * (another host, another scheme, an unparsable value) becomes `/`. The
 * result is plain ASCII (the URL serializer percent-encodes the rest), so
 * it is always a valid Location header.
 *
 * @example
 * safeReturnTo('/messages?status=failed', 'https://rez.example') // '/messages?status=failed'
 * safeReturnTo('/\tevil.example', 'https://rez.example')          // '/'
 */
export function safeReturnTo(value: string | undefined, publicUrl: string): string {
  if (!value) return '/';
  const origin = new URL(publicUrl).origin;
  let url: URL;
  try {
    url = new URL(value, `${origin}/`);
  } catch {
    return '/';
  }
  if (url.origin !== origin) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" resolves to the path "//evil.example": a Location a browser reads as another host.
  return path.startsWith('//') ? '/' : path;
}
