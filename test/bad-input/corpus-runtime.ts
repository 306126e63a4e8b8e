/**
 * The bad-input corpus, continued: what reaches the pipeline and the local
 * runtime from outside other than a message — ntfy's answers, text printed
 * to a terminal, files in the data dir, settings. Re-exported by corpus.ts.
 */

// ── Answers from a misbehaving ntfy (or whatever sits between it and us) ────

export interface NtfyAnswerCase {
  name: string;
  /** The answer to the first publish, in place of ntfy's own. */
  publish: BadAnswer;
  /**
   * Whether ntfy got and stored that publish before the bad answer (it broke
   * on the way back): then it must not be pushed again.
   */
  reachedNtfy: boolean;
  /** The answer to the first poll of ntfy's cache, in place of ntfy's own. */
  poll?: BadAnswer;
}

export interface BadAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** This many bytes of body instead, written as fast as the client reads (until it hangs up). */
  flood?: number;
}

/** 48 MiB: more than any client may hold, little enough that a client without a bound survives the test. */
export const FLOOD_BYTES = 48 * 1024 * 1024;

const UNUSABLE_2XX: [string, BadAnswer][] = [
  ['200 with an empty body', { status: 200, body: '' }],
  ['204 No Content', { status: 204 }],
  ['200 with an HTML page', { status: 200, body: '<html><body>OK</body></html>' }],
  ['200 with JSON but no id', { status: 200, body: '{"event":"message","topic":"rez-bad-input"}' }],
  ['200 with a numeric id', { status: 200, body: '{"id":5}' }],
  ['200 with an empty id', { status: 200, body: '{"id":""}' }],
  ['200 with an object id', { status: 200, body: '{"id":{"$gt":""}}' }],
  [
    '200 with an id holding a terminal escape',
    { status: 200, body: '{"id":"\\u001b[2J\\u001b]0;x\\u0007"}' },
  ],
  ['200 with truncated JSON', { status: 200, body: '{"id":"abc' }],
  ['200 with a JSON array', { status: 200, body: '["abc"]' }],
  ['200 with JSON null', { status: 200, body: 'null' }],
  ['201 with an id too long for ntfy', { status: 201, body: JSON.stringify({ id: 'a'.repeat(500) }) }],
  ['200 with 48 MiB of body', { status: 200, flood: FLOOD_BYTES }],
  [
    '200 whose Content-Length says 48 MiB',
    { status: 200, headers: { 'content-length': String(FLOOD_BYTES) }, flood: FLOOD_BYTES },
  ],
];

const OVERSIZE_ERRORS: [string, BadAnswer][] = [
  ['500 with 48 MiB of body', { status: 500, flood: FLOOD_BYTES }],
  ['502 with 48 MiB of body', { status: 502, flood: FLOOD_BYTES }],
  ['400 with 48 MiB of body', { status: 400, flood: FLOOD_BYTES }],
  ['413 with 48 MiB of body', { status: 413, flood: FLOOD_BYTES }],
  ['429 with 48 MiB of body', { status: 429, headers: { 'retry-after': '1' }, flood: FLOOD_BYTES }],
];

export const NTFY_ANSWER_CASES: NtfyAnswerCase[] = [
  // The push reached ntfy and the answer came back unusable: its effect is unknown.
  ...UNUSABLE_2XX.map(([name, publish]) => ({ name: `${name}, push stored`, publish, reachedNtfy: true })),
  // Something in between answered without passing the push on.
  { name: '200 HTML from a proxy that never forwarded', publish: UNUSABLE_2XX[2][1], reachedNtfy: false },
  ...OVERSIZE_ERRORS.map(([name, publish]) => ({
    name: `${name}, not forwarded`,
    publish,
    reachedNtfy: false,
  })),
  {
    name: '502 with 48 MiB of body, after ntfy stored the push',
    publish: OVERSIZE_ERRORS[1][1],
    reachedNtfy: true,
  },
  // The lookup that follows an unknown effect gets a bad answer first.
  {
    name: 'empty 200, then a poll line of 100 KiB',
    publish: { status: 200, body: '' },
    reachedNtfy: true,
    poll: {
      status: 200,
      body: `${JSON.stringify({ id: 'big', event: 'message', message: 'y'.repeat(100_000) })}\n`,
    },
  },
  {
    name: 'empty 200, then a poll of 48 MiB without a line break',
    publish: { status: 200, body: '' },
    reachedNtfy: true,
    poll: { status: 200, flood: FLOOD_BYTES },
  },
  {
    name: 'empty 200, then a poll answered 500 with 48 MiB',
    publish: { status: 200, body: '' },
    reachedNtfy: true,
    poll: { status: 500, flood: FLOOD_BYTES },
  },
  {
    name: 'empty 200, then a poll answered with HTML',
    publish: { status: 200, body: '' },
    reachedNtfy: true,
    poll: { status: 200, body: '<html>proxy error</html>' },
  },
];

// ── Text for a terminal: what a server, a payload or a creator's name may hold ──

/** Control sequences a terminal would obey; every printed field is tried with each. */
export const TERMINAL_ESCAPES: [string, string][] = [
  ['CSI clear screen', '\u001b[2J\u001b[H'],
  ['OSC set the window title (BEL)', '\u001b]0;pwned\u0007'],
  ['OSC set the window title (ST)', '\u001b]2;pwned\u001b\\'],
  ['OSC 52 write the clipboard', '\u001b]52;c;cm0gLXJmIH4K\u0007'],
  ['OSC 8 hyperlink', '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007'],
  ['DCS request', '\u001bP$q"p\u001b\\'],
  ['8-bit CSI (C1)', '\u009b2J'],
  ['8-bit OSC (C1)', '\u009d0;pwned\u009c'],
  ['NEL (C1 next line)', 'a\u0085b'],
  ['carriage return overwrite', 'all good\r\u001b[Kcompromised'],
  ['backspaces', 'rm -rf ~\b\b\b\b\b\b\b\bls      '],
  ['bell', '\u0007\u0007\u0007'],
  ['a newline forging a line', 'ok\nrez: ready'],
  ['DEL', 'a\u007fb'],
  ['NUL', 'a\u0000b'],
  ['vertical tab and form feed', 'a\u000b\u000cb'],
  ['bidi override (Trojan Source)', 'admin\u202e\u2066// check\u2069\u2066'],
  ['line and paragraph separators', 'a\u2028b\u2029c'],
];

/**
 * The characters of `text` a terminal acts on, as code points: C0 controls
 * (tab and newline are the output's own layout, unless `newline` asks for
 * newlines too), DEL, C1, and the Unicode marks that reorder or break lines.
 */
export function terminalControls(text: string, options: { newline?: boolean } = {}): number[] {
  const found: number[] = [];
  for (const char of text) {
    const c = char.codePointAt(0) ?? 0;
    const c0 = c < 0x20 && c !== 0x09 && (c !== 0x0a || options.newline === true);
    const unicode =
      c === 0x061c ||
      c === 0x200e ||
      c === 0x200f ||
      (c >= 0x2028 && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069);
    if (c0 || (c >= 0x7f && c <= 0x9f) || unicode) found.push(c);
  }
  return found;
}

// ── Start-up: files in the data dir and settings (node packages/local/dist/start.js) ──

export interface StartupCase {
  name: string;
  /** Settings on top of a fresh data dir's. */
  env?: Record<string, string>;
  /** Files to put in the data dir first: text, bytes, or `{ dir: true }` for a directory in its place. */
  files?: Record<string, string | Buffer | { dir: true }>;
  /** Zero four pages in the middle of an existing rez.db. */
  zeroPages?: boolean;
  /** What the one line must name: the variable, or the file (relative to the data dir). */
  names: { variable: string } | { file: string };
}

const KEY_32 = Buffer.alloc(32, 7).toString('base64');

export const STARTUP_CASES: StartupCase[] = [
  // The console's session key file.
  ...(
    [
      ['empty', ''],
      ['only whitespace', ' \n\t\n'],
      ['too short', 'c2hvcnQ='],
      ['not base64', `${'!'.repeat(43)}=`],
      ['31 bytes', Buffer.alloc(31, 7).toString('base64')],
      ['33 bytes', Buffer.alloc(33, 7).toString('base64')],
      ['two keys', `${KEY_32},${KEY_32}`],
      ['a key and junk after it', `${KEY_32} trailing`],
      ['hex instead of base64', Buffer.alloc(32, 7).toString('hex')],
      ['binary junk', Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x32, 0x4a])],
      ['a directory', { dir: true }],
    ] as [string, string | Buffer | { dir: true }][]
  ).map(
    ([what, content]): StartupCase => ({
      name: `session.key: ${what}`,
      files: { 'session.key': content },
      names: { file: 'session.key' },
    }),
  ),
  // Other files of the data dir.
  { name: 'ntfy-topic: a directory', files: { 'ntfy-topic': { dir: true } }, names: { file: 'ntfy-topic' } },
  {
    name: 'ntfy-topic: not a topic',
    files: { 'ntfy-topic': 'no spaces allowed' },
    names: { file: 'ntfy-topic' },
  },
  {
    name: 'schedules.json: not JSON',
    files: { 'schedules.json': '{nope' },
    names: { file: 'schedules.json' },
  },
  {
    name: 'schedules.json: a directory',
    files: { 'schedules.json': { dir: true } },
    names: { file: 'schedules.json' },
  },
  { name: 'rez.db: zeroed pages', zeroPages: true, names: { file: 'rez.db' } },
  { name: 'rez.db: not a database', files: { 'rez.db': 'x'.repeat(8192) }, names: { file: 'rez.db' } },
  { name: 'rez.db: a directory', files: { 'rez.db': { dir: true } }, names: { file: 'rez.db' } },
  // Numeric settings: whole numbers in a sane range, nothing else.
  ...(
    [
      ['REZ_POLLER_BATCHES', '1000000000'],
      ['REZ_POLLER_BATCHES', '0'],
      ['REZ_POLLER_BATCHES', '-1'],
      ['REZ_POLLER_BATCHES', '1.5'],
      ['REZ_POLLER_BATCHES', '1e3'],
      ['REZ_POLLER_BATCHES', '0x10'],
      ['REZ_POLLER_BATCHES', 'sixteen'],
      ['REZ_POLLER_BATCHES', '99999999999999999999'],
      ['REZ_WORKER_THREADS', '100000'],
      ['REZ_VISIBILITY_TIMEOUT_SECONDS', '999999999'],
      ['REZ_MAX_RECEIVE_COUNT', '1000000'],
      ['PORT', '70000'],
      ['PORT', '0'],
      ['REZ_SQLITE_SYNCHRONOUS', 'OFF'],
      ['REZ_STAGE', 'production'],
      ['NTFY_BASE_URL', 'ntfy.sh'],
      ['NTFY_TOPIC', 'two words'],
    ] as [string, string][]
  ).map(
    ([variable, value]): StartupCase => ({
      name: `${variable}=${value}`,
      env: { [variable]: value },
      names: { variable },
    }),
  ),
  {
    name: 'REZ_DATA_DIR is a file',
    env: { REZ_DATA_DIR: '/etc/hostname' },
    names: { variable: 'REZ_DATA_DIR' },
  },
];

// ── CloudWatch alarms that are valid but extreme: each must become a push, never a dead letter ──

/** Alarm names AWS accepts (1–255 characters), at and around the lengths that overflow a 250-character title. */
export const LONG_ALARM_NAMES: [string, string][] = [
  ...[244, 245, 246, 249, 250, 251, 254, 255].map((n): [string, string] => [
    `${n} ASCII characters`,
    'a'.repeat(n),
  ]),
  ['255 characters ending in an emoji (a surrogate pair across the cut)', `${'a'.repeat(253)}😀`],
  ['255 CJK characters', '名'.repeat(255)],
  ['249 characters then an emoji at 250–251', `${'a'.repeat(249)}😀${'b'.repeat(4)}`],
  ['255 characters with HTML and a newline', `<b>\n${'x'.repeat(251)}`],
];
