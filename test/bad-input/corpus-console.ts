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

// ── Where to go after sign-in (/auth/login?returnTo=…) ──────────────────────

/**
 * returnTo values a browser might resolve off-site, or that once broke the
 * callback: each must end the sign-in on a path of the console's own origin.
 */
export const RETURN_TO_CASES: [string, string][] = [
  ['tab as second character', '/\t/evil.example'],
  ['newline as second character', '/\n/evil.example'],
  ['carriage return as second character', '/\r/evil.example'],
  ['backslash as second character', '/\\evil.example'],
  ['two backslashes', '\\\\evil.example'],
  ['backslash then slash', '/\\/evil.example'],
  ['protocol-relative', '//evil.example'],
  ['three slashes', '///evil.example'],
  ['dot segment to //', '/.//evil.example'],
  ['dot-dot segment to //', '/..//evil.example'],
  ['absolute https', 'https://evil.example/'],
  ['absolute upper-case scheme', 'HTTP://EVIL.EXAMPLE'],
  ['scheme without slashes', 'http:evil.example'],
  ['our host as userinfo', 'http://localhost:3000@evil.example/'],
  ['our host as a subdomain', 'http://localhost:3000.evil.example/'],
  ['javascript URL', 'javascript:alert(document.cookie)'],
  ['data URL', 'data:text/html,<script>alert(1)</script>'],
  ['leading space', ' //evil.example'],
  ['leading NUL', '\u0000//evil.example'],
  ['header injection', '/messages\r\nSet-Cookie: rez_session=x'],
  ['non-ASCII path', '/名前/メッセージ'],
  ['emoji path', '/😀'],
  ['line separator', '/\u2028/evil.example'],
  ['ideographic space', '/\u3000/evil.example'],
  ['percent-encoded slashes', '/%2F%2Fevil.example'],
  ['percent-encoded backslash', '/%5Cevil.example'],
  ['replacement character (what a browser sends for a lone surrogate)', '/\ufffd/evil.example'],
  ['only a query', '?status=failed'],
  ['only a fragment', '#top'],
  ['empty', ''],
  ['2,048 characters', `/${'a'.repeat(2047)}`],
];

// ── The identity provider's callback (/auth/callback?…), with a login under way ──

/** Text an attacker would like the console to show on its own origin. */
export const LURE = 'Your account is locked. Call +1 555 0100 to restore access';

/**
 * Callback query strings that must not sign anyone in, nor show the lure;
 * `{state}` is the state of the login this browser started.
 */
export const CALLBACK_CASES: [string, string][] = [
  ['an error with a lure, no state', `error=access_denied&error_description=${encodeURIComponent(LURE)}`],
  [
    'an error with a lure, a forged state',
    `error=access_denied&error_description=${encodeURIComponent(LURE)}&state=forged`,
  ],
  [
    'an error with a lure, the right state',
    `error=access_denied&error_description=${encodeURIComponent(LURE)}&state={state}`,
  ],
  ['an unknown error code that is the lure', `error=${encodeURIComponent(LURE)}&state={state}`],
  ['an error with HTML', `error=${encodeURIComponent('<script>alert(1)</script>')}&state={state}`],
  ['a code without a state', 'code=abc'],
  ['a code with a forged state', 'code=abc&state=forged'],
  ['a code with an empty state', 'code=abc&state='],
  ['the right state without a code', 'state={state}'],
  ['the right state and an empty code', 'code=&state={state}'],
  ['another issuer', `code=abc&state={state}&iss=${encodeURIComponent('https://evil.example')}`],
  ['two states', 'code=abc&state={state}&state=forged'],
  ['an over-long description', `error=access_denied&state={state}&error_description=${'x'.repeat(5000)}`],
  ['an over-long code', `code=${'c'.repeat(5000)}&state={state}`],
];

// ── Session cookies (rez_session): tampered, stale or ended ─────────────────

export interface SessionCase {
  name: string;
  /**
   * The Cookie header to send, made from `seal` (the app's own sealing, as
   * someone holding the session key could), a `valid` live session cookie
   * value, and `now` (epoch ms).
   */
  cookie: (tools: { seal: (data: Record<string, unknown>) => string; valid: string; now: number }) => string;
  /** signed-out: treated as no session (a sign-in redirect); forbidden: a 403. */
  outcome: 'signed-out' | 'forbidden';
}

const ana = { handle: 'ana@example.com', name: 'Ana', subject: 'sub-ana', entry: 'ana@example.com' };
const live = (now: number) => ({
  user: ana,
  expiresAt: now + 3_600_000,
  sid: 'sid-live-0000000000000000000000000',
  epoch: 0,
});
const flip = (value: string, at: number) =>
  `${value.slice(0, at)}${value[at] === 'A' ? 'B' : 'A'}${value.slice(at + 1)}`;

export const SESSION_CASES: SessionCase[] = [
  { name: 'not a seal', cookie: () => 'rez_session=garbage', outcome: 'signed-out' },
  { name: 'an empty value', cookie: () => 'rez_session=', outcome: 'signed-out' },
  { name: 'the version alone', cookie: () => 'rez_session=v1.', outcome: 'signed-out' },
  {
    name: 'another version',
    cookie: ({ valid }) => `rez_session=v2${valid.slice(2)}`,
    outcome: 'signed-out',
  },
  { name: 'cut short', cookie: ({ valid }) => `rez_session=${valid.slice(0, -10)}`, outcome: 'signed-out' },
  {
    name: 'one character changed in the ciphertext',
    cookie: ({ valid }) => `rez_session=${flip(valid, 30)}`,
    outcome: 'signed-out',
  },
  {
    name: 'one character changed in the tag',
    cookie: ({ valid }) => `rez_session=${flip(valid, valid.length - 3)}`,
    outcome: 'signed-out',
  },
  {
    name: 'non-base64url characters',
    cookie: ({ valid }) => `rez_session=${valid.replace(/.$/, '%')}`,
    outcome: 'signed-out',
  },
  { name: 'a 6 KiB value', cookie: () => `rez_session=v1.${'A'.repeat(6144)}`, outcome: 'signed-out' },
  {
    name: 'expired',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), expiresAt: now - 1 })}`,
    outcome: 'signed-out',
  },
  {
    name: 'no user',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), user: undefined })}`,
    outcome: 'signed-out',
  },
  {
    name: 'a user without an allowlist entry (sealed before sessions had one)',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), user: { ...ana, entry: undefined } })}`,
    outcome: 'signed-out',
  },
  {
    name: 'no session id',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), sid: undefined })}`,
    outcome: 'signed-out',
  },
  {
    name: 'a numeric session id',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), sid: 7 })}`,
    outcome: 'signed-out',
  },
  {
    name: 'no epoch',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), epoch: undefined })}`,
    outcome: 'signed-out',
  },
  {
    name: 'an epoch as a string',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), epoch: '0' })}`,
    outcome: 'signed-out',
  },
  {
    name: 'an epoch from the future',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), epoch: 5 })}`,
    outcome: 'signed-out',
  },
  {
    name: 'an epoch before the user’s sessions were ended',
    cookie: ({ seal, now }) =>
      `rez_session=${seal({ ...live(now), user: { ...ana, handle: 'bob', entry: 'bob' }, epoch: 0 })}`,
    outcome: 'signed-out',
  },
  {
    name: 'a session id that signed out',
    cookie: ({ seal, now }) =>
      `rez_session=${seal({ ...live(now), sid: 'sid-signed-out-000000000000000000' })}`,
    outcome: 'signed-out',
  },
  {
    name: 'a user never on the allowlist',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), user: { ...ana, entry: 'mallory' } })}`,
    outcome: 'forbidden',
  },
  {
    name: 'an allowlist entry with a KELVIN SIGN',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), user: { ...ana, entry: '\u212Aate' } })}`,
    outcome: 'forbidden',
  },
  {
    name: 'an e-mail entry spelled as a GitHub login',
    cookie: ({ seal, now }) => `rez_session=${seal({ ...live(now), user: { ...ana, entry: 'ana' } })}`,
    outcome: 'forbidden',
  },
];

/** The session ids and users the session corpus expects ended before it runs. */
export const SESSION_CASES_SETUP = {
  signedOut: { user: 'ana@example.com', sid: 'sid-signed-out-000000000000000000' },
  endedUser: 'bob',
  allowedUsers: ['ana@example.com', 'bob', 'kate'],
};
