/**
 * The bad-input corpus, continued: what reaches the console other than its
 * message form — list cursors, query strings, where to go after sign-in,
 * the identity provider's callback, and session cookies. Re-exported by
 * corpus.ts.
 */
import { BAD_CURSORS } from '@rez/core/testing';

// ── List cursors (/messages?cursor=…, `npm run rez -- list --cursor …`, every store) ──

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Cursors no store handed out: the console answers 400, the CLI exits 2, every store throws ValidationError. */
export const CURSOR_CASES: string[] = BAD_CURSORS(base64url);

// ── Query strings: the same answer locally and behind the ALB ──────────────

/** Raw query strings (after `?`) with a malformed percent-encoding: a 400 page on every route. */
export const MALFORMED_QUERIES: [string, string][] = [
  ['% and two non-hex characters', 'x=%ZZ'],
  ['a lone %', 'x=%'],
  ['% and one hex digit', 'x=%2'],
  ['% at the end of a key', 'x%=1'],
  ['a truncated UTF-8 sequence', 'x=%E2%82'],
  ['a lone continuation byte', 'x=%80'],
  ['an overlong encoding of /', 'x=%C0%AF'],
  ['an encoded surrogate', 'x=%ED%A0%80'],
  ['0xFF', 'x=%FF'],
  ['a bad escape after a good pair', 'window=1h&x=%G0'],
  ['a malformed key', '%ZZ=1'],
  ['a cursor with a bad escape', 'cursor=abc%'],
  ['returnTo with a bad escape', 'returnTo=%2F%ZZ'],
];
