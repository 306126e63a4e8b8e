import { randomBytes } from 'node:crypto';
import { NtfyClient, NtfyError } from '../src';

/** ntfy's rate limits (server.yml `visitor-*`), per client IP. */
export interface NtfyLimits {
  /** visitor-request-limit-burst: requests a visitor may make at once. */
  requestBurst: number;
  /** visitor-request-limit-replenish: one request comes back every this many seconds. */
  requestReplenishSeconds: number;
  /** visitor-message-daily-limit: messages a visitor may publish per day. */
  messagesPerDay: number;
}

/** A fresh ntfy server for the contract: cache on, auth on with anonymous access denied. */
export interface NtfyUnderTest {
  url: string;
  /** Two users' tokens on every topic: one may read and write, the other only write. */
  tokens: { readWrite: string; writeOnly: string };
  close(): Promise<void>;
}

/** Limits the functional tests never reach. */
const OPEN: NtfyLimits = { requestBurst: 10_000, requestReplenishSeconds: 1, messagesPerDay: 100_000 };
const AUTH_LINK = 'https://ntfy.sh/docs/publish/#authentication';
const LIMITS_LINK = 'https://ntfy.sh/docs/publish/#limitations';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
  /** The body as JSON lines (the poll API). */
  lines: Record<string, unknown>[];
}

async function call(
  ntfy: NtfyUnderTest,
  request: { method?: string; path?: string; token?: string; body?: unknown },
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  const response = await fetch(`${ntfy.url}${request.path ?? '/'}`, {
    method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
    headers,
    body:
      request.body === undefined
        ? undefined
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body),
  });
  const text = await response.text();
  const parse = (s: string) => {
    try {
      return JSON.parse(s) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: parse(text),
    lines: text.split('\n').filter(Boolean).map(parse),
  };
}

const uniqueTopic = () => `rez-ct-${randomBytes(4).toString('hex')}`;

/**
 * What Rez relies on in ntfy, run against the real server (`npm run
 * test:peers`) and against our test server (`npm test`), so that the test
 * server every other test uses stays true to the real one. `start` must give a
 * fresh server with the given limits, auth on (anonymous access denied, the
 * two tokens allowed on every topic) and the message cache on with ntfy's
 * default 12 h.
 */
export function describeNtfyContract(
  name: string,
  start: (limits: NtfyLimits) => Promise<NtfyUnderTest>,
): void {
  describe(`ntfy contract: ${name}`, () => {
    let ntfy: NtfyUnderTest;
    let topic: string;
    let client: NtfyClient;
    /** `token` null sends none; unset sends the read-write one. */
    const poll = async (since: string, token?: string | null) =>
      call(ntfy, {
        path: `/${topic}/json?poll=1&since=${since}`,
        token: token ?? (token === null ? undefined : ntfy.tokens.readWrite),
      });
    const publish = (body: Record<string, unknown>, token?: string | null) =>
      call(ntfy, {
        body: { topic, ...body },
        token: token ?? (token === null ? undefined : ntfy.tokens.readWrite),
      });

    beforeAll(async () => {
      ntfy = await start(OPEN);
    });
    afterAll(() => ntfy?.close());
    beforeEach(() => {
      topic = uniqueTopic();
      client = new NtfyClient({ baseUrl: ntfy.url, topic, token: ntfy.tokens.readWrite, timeoutMs: 5000 });
    });
    afterEach(() => client?.close());

    describe('publishing and the cached message', () => {
      it('caches every field the client sends, in the form findRecent reads back', async () => {
        const before = Math.floor(Date.now() / 1000);
        const sent = await client.publish({
          message: 'disk full on /var',
          title: 'Disk',
          priority: 4,
          tags: ['warning', 'disk'],
          click: 'https://example.com/m/1',
          markdown: true,
        });
        const { lines } = await poll('all');
        expect(sent.id).toMatch(/^[A-Za-z0-9]{12}$/);
        expect(lines).toEqual([
          {
            id: sent.id,
            time: expect.any(Number),
            expires: (lines[0]?.time as number) + 43_200,
            event: 'message',
            topic,
            title: 'Disk',
            message: 'disk full on /var',
            priority: 4,
            tags: ['warning', 'disk'],
            click: 'https://example.com/m/1',
            content_type: 'text/markdown',
          },
        ]);
        expect(lines[0].time).toBeGreaterThanOrEqual(before);
      });

      it('answers a publish with the message as cached', async () => {
        const answer = await publish({ message: 'hello', title: 'Hi', tags: ['a'] });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
        expect((await poll('all')).lines).toEqual([answer.json]);
      });

      it('leaves out what was not sent, and keeps an explicit priority 3', async () => {
        await publish({ message: 'plain' });
        await publish({ message: 'explicit', priority: 3 });
        const { lines } = await poll('all');
        expect(lines.map((line) => Object.keys(line).sort())).toEqual([
          ['event', 'expires', 'id', 'message', 'time', 'topic'],
          ['event', 'expires', 'id', 'message', 'priority', 'time', 'topic'],
        ]);
        expect(lines[1].priority).toBe(3);
      });

      it('trims message and title, splits tags at commas and trims each, and stores blank text as "triggered"', async () => {
        await publish({
          message: '\u0085 padded\ttext \n',
          title: '  Title ',
          tags: ['a,b', ' c ', 'd, ,e'],
        });
        await publish({ message: '\ufeffbom\ufeff' });
        await publish({ message: ' \n ' });
        const { lines } = await poll('all');
        expect(lines.map(({ message, title, tags }) => ({ message, title, tags }))).toEqual([
          { message: 'padded\ttext', title: 'Title', tags: ['a', 'b', 'c', 'd', '', 'e'] },
          { message: '\ufeffbom\ufeff', title: undefined, tags: undefined },
          { message: 'triggered', title: undefined, tags: undefined },
        ]);
      });

      it('findRecent finds the client’s publish however ntfy trimmed or split it, and nothing else', async () => {
        const padded = {
          message: '  padded \n',
          title: ' Title ',
          tags: ['a,b', ' c'],
          priority: 2 as const,
        };
        const sent = await client.publish(padded);
        const since = new Date(Date.now() - 60_000);
        await expect(client.findRecent(padded, since)).resolves.toEqual({ id: sent.id, truncated: false });
        await expect(client.findRecent({ ...padded, message: 'padded!' }, since)).resolves.toBeNull();
        await expect(client.findRecent({ ...padded, tags: ['a'] }, since)).resolves.toBeNull();
        await expect(client.findRecent({ ...padded, priority: 3 }, since)).resolves.toBeNull();
      });
    });

    describe('the size limits', () => {
      it('takes a message of 4,095 bytes and refuses 4,096 as an attachment (400, 40014) when attachments are off', async () => {
        expect((await publish({ message: 'a'.repeat(4095) })).status).toBe(200);
        const refused = await publish({ message: 'a'.repeat(4096) });
        expect({ status: refused.status, body: refused.json }).toEqual({
          status: 400,
          body: {
            code: 40014,
            http: 400,
            error: 'invalid request: attachments not allowed',
            link: 'https://ntfy.sh/docs/config/#attachments',
          },
        });
      });

      it('refuses a JSON body of 8,192 bytes or more (413, 41303)', async () => {
        const body = { topic, message: '' };
        body.message = 'b'.repeat(8192 - JSON.stringify(body).length);
        const refused = await call(ntfy, { body, token: ntfy.tokens.readWrite });
        expect({ status: refused.status, body: refused.json }).toEqual({
          status: 413,
          body: { code: 41303, http: 413, error: 'JSON body too large' },
        });
      });

      it('the client cuts what is too long, at a character boundary, so ntfy takes it and findRecent matches it', async () => {
        // Over 4,095 bytes; under it, but over 8,191 bytes as JSON (quotes and control characters are escaped).
        for (const message of ['ż'.repeat(3000), 'a'.repeat(4096), '"'.repeat(4094), '\u0001'.repeat(2000)]) {
          const sent = await client.publish({ message });
          expect({ message: message.slice(0, 3), truncated: sent.truncated }).toEqual({
            message: message.slice(0, 3),
            truncated: true,
          });
          await expect(client.findRecent({ message }, new Date(Date.now() - 60_000))).resolves.toEqual(sent);
        }
        const { lines } = await poll('all');
        for (const line of lines) {
          expect(Buffer.byteLength(line.message as string)).toBeLessThan(4096);
          expect(line.message).toMatch(/… \[truncated\]$/);
          expect(line.message).not.toContain('\uFFFD');
        }
      });
    });

    describe('the poll API', () => {
      it('since a unix time: the cached messages of that second and later, oldest first', async () => {
        const first = (await publish({ message: 'first' })).json;
        // The next message must fall in a later second than the first.
        await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));
        const second = (await publish({ message: 'second' })).json;
        expect((await poll(String(second.time))).lines.map((m) => m.id)).toEqual([second.id]);
        expect((await poll(String(first.time))).lines.map((m) => m.id)).toEqual([first.id, second.id]);
        expect((await poll(String((second.time as number) + 5))).lines).toEqual([]);
      });

      it('since a message id: the messages after it, not itself; an id it does not know gives all', async () => {
        const ids: string[] = [];
        for (const message of ['one', 'two', 'three'])
          ids.push((await publish({ message })).json.id as string);
        expect((await poll(ids[0])).lines.map((m) => m.id)).toEqual(ids.slice(1));
        expect((await poll(ids[2])).lines).toEqual([]);
        expect((await poll('AAAAAAAAAAAA')).lines.map((m) => m.id)).toEqual(ids);
        expect((await poll('all')).lines.map((m) => m.id)).toEqual(ids);
      });

      it('since latest: the newest message; none: nothing; a duration: that long ago', async () => {
        const ids: string[] = [];
        for (const message of ['one', 'two']) ids.push((await publish({ message })).json.id as string);
        expect((await poll('latest')).lines.map((m) => m.id)).toEqual([ids[1]]);
        expect((await poll('none')).lines).toEqual([]);
        expect((await poll('1h30m')).lines.map((m) => m.id)).toEqual(ids);
      });

      it('answers JSON lines, nothing for an empty topic, and 400 (40008) for a since it cannot read', async () => {
        const empty = await poll('all');
        expect({ status: empty.status, text: empty.text }).toEqual({ status: 200, text: '' });
        expect(empty.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
        const bad = await poll('yesterday');
        expect({ status: bad.status, code: bad.json.code }).toEqual({ status: 400, code: 40008 });
      });
    });

    describe('access', () => {
      it('a write-only token publishes, but cannot poll (403, 40301): findRecent fails for good', async () => {
        const writer = new NtfyClient({ baseUrl: ntfy.url, topic, token: ntfy.tokens.writeOnly });
        try {
          await expect(writer.publish({ message: 'from the writer' })).resolves.toMatchObject({
            truncated: false,
          });
          const refused = await poll('all', ntfy.tokens.writeOnly);
          expect({ status: refused.status, body: refused.json }).toEqual({
            status: 403,
            body: { code: 40301, http: 403, error: 'forbidden', link: AUTH_LINK },
          });
          const error = await writer.findRecent({ message: 'from the writer' }, new Date(0)).catch((e) => e);
          expect(error).toBeInstanceOf(NtfyError);
          expect(error).toMatchObject({ kind: 'permanent', details: { status: 403, ntfyCode: 40301 } });
        } finally {
          writer.close();
        }
      });

      it('a token it does not know is refused (401, 40101), and no token at all is denied (403)', async () => {
        const unknown = { code: 40101, http: 401, error: 'unauthorized', link: AUTH_LINK };
        for (const answer of [
          await publish({ message: 'x' }, 'tk_unknown'),
          await poll('all', 'tk_unknown'),
        ]) {
          expect({ status: answer.status, body: answer.json }).toEqual({ status: 401, body: unknown });
        }
        const anonymous = await publish({ message: 'x' }, null);
        expect({ status: anonymous.status, code: anonymous.json.code }).toEqual({ status: 403, code: 40301 });
        const stranger = new NtfyClient({ baseUrl: ntfy.url, topic, token: 'tk_unknown' });
        await expect(stranger.publish({ message: 'x' })).rejects.toMatchObject({
          kind: 'permanent',
          details: { status: 401, ntfyCode: 40101 },
        });
        stranger.close();
      });
    });

    describe('requests it refuses', () => {
      it('names what is wrong: topic (40009), JSON (40024), priority (40007)', async () => {
        const answers = [
          await call(ntfy, { body: { topic: 'no spaces', message: 'x' }, token: ntfy.tokens.readWrite }),
          await call(ntfy, { body: 'not json', token: ntfy.tokens.readWrite }),
          await publish({ message: 'x', priority: '4' }),
          await publish({ message: 'x', priority: 7 }),
        ];
        expect(answers.map((a) => [a.status, a.json.code, a.json.error])).toEqual([
          [400, 40009, 'invalid request: topic invalid'],
          [400, 40024, 'invalid request: request body must be valid JSON'],
          [400, 40024, 'invalid request: request body must be valid JSON'],
          [400, 40007, 'invalid priority parameter'],
        ]);
      });
    });

    describe('action buttons (the JSON array form)', () => {
      it('stores view and http actions with an id each, the action lower-cased, the method upper-cased, clear false unless set', async () => {
        const answer = await publish({
          message: 'alarm',
          actions: [
            { action: 'VIEW', label: 'Open', url: 'https://rez.example/m/1', clear: true, id: 'ignored' },
            {
              action: 'http',
              label: 'Acknowledge',
              url: 'https://rez.example/actions/tk',
              method: 'post',
              headers: { 'x-rez': '1' },
              body: '{"ack":true}',
            },
            { action: 'http', label: 'Run again', url: 'https://rez.example/actions/tk2' },
          ],
        });
        expect(answer.status).toBe(200);
        const [cached] = (await poll('all')).lines;
        const actionId = expect.stringMatching(/^[A-Za-z0-9]{10}$/);
        expect(cached.actions).toEqual([
          { id: actionId, action: 'view', label: 'Open', clear: true, url: 'https://rez.example/m/1' },
          {
            id: actionId,
            action: 'http',
            label: 'Acknowledge',
            clear: false,
            url: 'https://rez.example/actions/tk',
            method: 'POST',
            headers: { 'x-rez': '1' },
            body: '{"ack":true}',
          },
          {
            id: actionId,
            action: 'http',
            label: 'Run again',
            clear: false,
            url: 'https://rez.example/actions/tk2',
          },
        ]);
        expect(answer.json.actions).toEqual(cached.actions);
      });

      it('refuses actions it cannot use (400, 40018) and says why', async () => {
        const view = { action: 'view', label: 'Open', url: 'https://rez.example/' };
        const cases: [unknown[], string][] = [
          [[{ action: 'http', label: 'Ack' }], "parameter 'url' is required for action 'http'"],
          [[{ action: 'view', url: 'https://rez.example/' }], "parameter 'label' is required"],
          [
            [{ action: 'jump', label: 'x', url: 'https://rez.example/' }],
            "parameter 'action' cannot be 'jump', valid values are 'view', 'broadcast' and 'http'",
          ],
          [
            [{ action: 'http', label: 'x', url: 'https://rez.example/', method: 'GET', body: 'b' }],
            "parameter 'body' cannot be set if method is GET",
          ],
          [[view, view, view, view], 'only 3 actions allowed'],
        ];
        for (const [actions, why] of cases) {
          const answer = await publish({ message: 'x', actions });
          expect({ status: answer.status, body: answer.json }).toEqual({
            status: 400,
            body: {
              code: 40018,
              http: 400,
              error: `invalid request: actions invalid; ${why}`,
              link: 'https://ntfy.sh/docs/publish/#action-buttons',
            },
          });
        }
        expect((await poll('all')).lines).toEqual([]);
      });
    });

    describe('rate limits (a fresh server each)', () => {
      let limited: NtfyUnderTest | undefined;
      afterEach(async () => {
        await limited?.close();
        limited = undefined;
      });

      it('after the burst: 429 with code 42901 and no Retry-After; one request comes back per replenish interval', async () => {
        limited = await start({ requestBurst: 3, requestReplenishSeconds: 2, messagesPerDay: 100 });
        const token = limited.tokens.readWrite;
        const path = `/${topic}/json?poll=1`;
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await call(limited, { path, token })).status);
        expect(statuses).toEqual([200, 200, 200, 429]);
        const refused = await call(limited, { path, token });
        expect({
          status: refused.status,
          body: refused.json,
          retryAfter: refused.headers.get('retry-after'),
        }).toEqual({
          status: 429,
          body: { code: 42901, http: 429, error: 'limit reached: too many requests', link: LIMITS_LINK },
          retryAfter: null,
        });
        const limitedClient = new NtfyClient({ baseUrl: limited.url, topic, token });
        await expect(limitedClient.publish({ message: 'x' })).rejects.toMatchObject({
          kind: 'rate_limited',
          details: { status: 429, ntfyCode: 42901, retryAfterMs: 10_000 },
        });
        limitedClient.close();

        await new Promise((resolve) => setTimeout(resolve, 2200));
        const after = [
          (await call(limited, { path, token })).status,
          (await call(limited, { path, token })).status,
        ];
        expect(after).toEqual([200, 429]);
      });

      it('the daily message quota: 429 with code 42908 once used up, while polls still work', async () => {
        limited = await start({ requestBurst: 20, requestReplenishSeconds: 1, messagesPerDay: 2 });
        const limitedClient = new NtfyClient({
          baseUrl: limited.url,
          topic,
          token: limited.tokens.readWrite,
        });
        try {
          await limitedClient.publish({ message: 'one' });
          await limitedClient.publish({ message: 'two' });
          const refused = await call(limited, {
            body: { topic, message: 'three' },
            token: limited.tokens.readWrite,
          });
          expect({ status: refused.status, body: refused.json }).toEqual({
            status: 429,
            body: {
              code: 42908,
              http: 429,
              error: 'limit reached: daily message quota reached',
              link: LIMITS_LINK,
            },
          });
          await expect(limitedClient.publish({ message: 'four' })).rejects.toMatchObject({
            kind: 'rate_limited',
            details: { ntfyCode: 42908, retryAfterMs: 3_600_000 },
          });
          const since = new Date(Date.now() - 60_000);
          await expect(limitedClient.findRecent({ message: 'two' }, since)).resolves.not.toBeNull();
        } finally {
          limitedClient.close();
        }
      });
    });
  });
}
