import { classifyNtfyResponse, fitMessage, NTFY_MAX_MESSAGE_BYTES, NtfyClient, NtfyError } from '@rez/core';
import { type NtfyTestServer, startNtfyServer } from '@rez/core/testing';

describe('Class: NtfyClient', () => {
  let server: NtfyTestServer;
  let client: NtfyClient;

  beforeEach(async () => {
    server = await startNtfyServer();
    client = new NtfyClient({ baseUrl: server.url, topic: 'rez-test', token: 'tk_secret', timeoutMs: 300 });
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('publishes JSON to the server root and keeps the returned id', async () => {
    const delivery = await client.publish({
      message: 'disk full',
      title: 'Disk',
      priority: 5,
      tags: ['warning'],
      click: 'https://example.com/x',
      markdown: true,
    });

    expect(delivery).toEqual({ id: server.received[0].id, truncated: false });
    expect(server.received[0]).toEqual({
      id: delivery.id,
      topic: 'rez-test',
      message: 'disk full',
      title: 'Disk',
      priority: 5,
      tags: ['warning'],
      click: 'https://example.com/x',
      markdown: true,
      authorization: 'Bearer tk_secret',
    });
  });

  it('classifies 429 as rate limited and honours Retry-After (never sooner than 10 s)', async () => {
    server.respond = () => ({
      status: 429,
      headers: { 'retry-after': '120' },
      body: { code: 42901, http: 429, error: 'limit reached: too many requests' },
    });
    const error = await client.publish({ message: 'x' }).catch((e) => e);
    expect(error).toBeInstanceOf(NtfyError);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      permanent: false,
      details: { status: 429, ntfyCode: 42901, retryAfterMs: 120_000 },
    });
    expect(error.message).toBe('ntfy rate limited (limit reached: too many requests); retry in 120 s');
    expect(server.requests).toBe(1); // never retried at once
  });

  it('backs off an hour when the daily quota (42908) is reached', async () => {
    server.respond = () => ({
      status: 429,
      body: { code: 42908, http: 429, error: 'limit reached: daily message quota reached' },
    });
    const error = await client.publish({ message: 'x' }).catch((e) => e);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      details: { ntfyCode: 42908, retryAfterMs: 3_600_000 },
    });
  });

  it('classifies 500 as transient, and the next publish succeeds', async () => {
    server.respond = ({ index }) =>
      index === 0
        ? { status: 500, body: { code: 50001, http: 500, error: 'internal server error' } }
        : undefined;
    await expect(client.publish({ message: 'x' })).rejects.toMatchObject({
      kind: 'transient',
      message: 'ntfy server error 500: internal server error',
    });
    await expect(client.publish({ message: 'x' })).resolves.toMatchObject({ id: expect.any(String) });
    expect(server.received).toHaveLength(1);
  });

  it('classifies 400 as permanent with ntfy’s error text', async () => {
    server.respond = () => ({
      status: 400,
      body: { code: 40007, http: 400, error: 'invalid request: priority invalid' },
    });
    await expect(client.publish({ message: 'x' })).rejects.toMatchObject({
      kind: 'permanent',
      permanent: true,
      message: 'ntfy rejected the message (400): invalid request: priority invalid',
    });
  });

  it('times out a stalled request as transient', async () => {
    server.respond = () => ({ stall: true });
    await expect(client.publish({ message: 'x' })).rejects.toMatchObject({
      kind: 'transient',
      message: 'ntfy did not answer within 300 ms',
      effectUnknown: true,
    });
  });

  it('reports an unreachable server as transient', async () => {
    const url = server.url;
    await server.close();
    const offline = new NtfyClient({ baseUrl: url, topic: 't' });
    await expect(offline.publish({ message: 'x' })).rejects.toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(/cannot reach ntfy/),
      effectUnknown: false,
    });
    offline.close();
    server = await startNtfyServer();
  });

  it('reuses one connection for sequential publishes', async () => {
    for (let i = 0; i < 5; i++) await client.publish({ message: `m${i}` });
    expect(server.requests).toBe(5);
    expect(server.connections).toBe(1);
  });

  it('cuts bodies over 4,096 bytes at a character boundary and says so', async () => {
    const long = 'ż'.repeat(3000); // 6,000 bytes of two-byte characters
    const delivery = await client.publish({ message: long });
    expect(delivery.truncated).toBe(true);
    const sent = server.received[0].message;
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(NTFY_MAX_MESSAGE_BYTES);
    expect(sent.endsWith('… [truncated]')).toBe(true);
    expect(sent).not.toContain('\uFFFD');
  });
});

describe('Method: NtfyClient.findRecent', () => {
  let server: NtfyTestServer;
  let client: NtfyClient;
  const longAgo = new Date(Date.now() - 3_600_000);

  beforeEach(async () => {
    server = await startNtfyServer();
    client = new NtfyClient({
      baseUrl: server.url,
      topic: 'rez-test',
      token: 'tk_secret',
      timeoutMs: 300,
      lookupRetryDelayMs: 5,
    });
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('finds an identical notification published since then, by its ntfy id', async () => {
    const notification = { message: 'disk full', title: 'Disk', priority: 4 as const, tags: ['warning'] };
    await client.publish({ message: 'something else' });
    const sent = await client.publish(notification);

    await expect(client.findRecent(notification, longAgo)).resolves.toEqual({
      id: sent.id,
      truncated: false,
    });
    expect(server.received).toHaveLength(2); // looking published nothing
  });

  it('answers null when nothing matches: other text, title, priority, tags or topic', async () => {
    await client.publish({ message: 'disk full', title: 'Disk', priority: 4, tags: ['warning'] });
    const base = { message: 'disk full', title: 'Disk', priority: 4 as const, tags: ['warning'] };
    for (const other of [
      { ...base, message: 'disk full!' },
      { ...base, title: 'Disk2' },
      { ...base, priority: 5 as const },
      { ...base, tags: ['warning', 'x'] },
      { ...base, topic: 'rez-other' },
    ]) {
      await expect(client.findRecent(other, longAgo)).resolves.toBeNull();
    }
    await expect(client.findRecent(base, longAgo)).resolves.not.toBeNull();
  });

  it('treats an unset priority as ntfy’s default 3', async () => {
    const sent = await client.publish({ message: 'x', priority: 3 });
    await expect(client.findRecent({ message: 'x' }, longAgo)).resolves.toEqual({
      id: sent.id,
      truncated: false,
    });
  });

  it('only looks at messages since the given time', async () => {
    await client.publish({ message: 'earlier' });
    await expect(client.findRecent({ message: 'earlier' }, new Date(Date.now() + 2000))).resolves.toBeNull();
  });

  it('polls ntfy’s cache with the topic, poll=1, since in unix seconds and the token', async () => {
    const seen: unknown[] = [];
    server.respond = ({ method, path, search, authorization }) => {
      seen.push({ method, path, search, authorization });
      return undefined;
    };
    await client.findRecent({ message: 'x', topic: 'rez-alerts' }, new Date('2026-01-01T00:00:30.900Z'));
    expect(seen).toEqual([
      {
        method: 'GET',
        path: '/rez-alerts/json',
        search: '?poll=1&since=1767225630',
        authorization: 'Bearer tk_secret',
      },
    ]);
  });

  it('treats an answer that is not JSON lines as transient, never as not found', async () => {
    server.respond = () => ({ status: 200, raw: '<html>proxy error</html>' });
    await expect(client.findRecent({ message: 'x' }, longAgo)).rejects.toMatchObject({ kind: 'transient' });
  });

  it('matches a long message as publish cut it', async () => {
    const long = 'ż'.repeat(3000);
    const sent = await client.publish({ message: long });
    expect(sent.truncated).toBe(true);
    await expect(client.findRecent({ message: long }, longAgo)).resolves.toEqual({
      id: sent.id,
      truncated: true,
    });
    await expect(client.findRecent({ message: `${long}x` }, longAgo)).resolves.toEqual({
      id: sent.id,
      truncated: true,
    });
    await expect(client.findRecent({ message: 'ż'.repeat(2000) }, longAgo)).resolves.toBeNull();
  });

  it('classifies 401 as permanent and 5xx as transient, like publish', async () => {
    server.respond = ({ method }) =>
      method === 'GET' ? { status: 401, body: { code: 40101, http: 401, error: 'unauthorized' } } : undefined;
    await expect(client.findRecent({ message: 'x' }, longAgo)).rejects.toMatchObject({
      kind: 'permanent',
      details: { status: 401, ntfyCode: 40101 },
    });
    server.respond = () => ({ status: 502, body: { code: 50201, http: 502, error: 'bad gateway' } });
    await expect(client.findRecent({ message: 'x' }, longAgo)).rejects.toMatchObject({
      kind: 'transient',
      message: 'ntfy server error 502: bad gateway',
    });
    server.respond = () => ({ status: 429, body: { code: 42901, http: 429, error: 'limit reached' } });
    await expect(client.findRecent({ message: 'x' }, longAgo)).rejects.toMatchObject({
      kind: 'rate_limited',
    });
  });

  it('tries a poll once more after a 5xx (a read), but never after a 429', async () => {
    // Prepare: the cache holds the push; the first poll gets a 503.
    const { id } = await client.publish({ message: 'found on the second poll' });
    let polls = 0;
    server.respond = ({ method }) =>
      method === 'GET' && polls++ === 0
        ? { status: 503, body: { code: 50301, http: 503, error: 'unavailable' } }
        : undefined;

    // Act + Assess
    await expect(client.findRecent({ message: 'found on the second poll' }, longAgo)).resolves.toEqual({
      id,
      truncated: false,
    });
    expect(polls).toBe(2);

    // Two 5xx in a row: the second one is the answer.
    polls = 0;
    server.respond = () => ({ status: 502, body: { code: 50201, http: 502, error: 'bad gateway' } });
    await expect(client.findRecent({ message: 'x' }, longAgo)).rejects.toMatchObject({ kind: 'transient' });
    // A 429 is not retried.
    const before = server.requests;
    server.respond = () => ({ status: 429, body: { code: 42901, http: 429, error: 'limit reached' } });
    await expect(client.findRecent({ message: 'x' }, longAgo)).rejects.toMatchObject({
      kind: 'rate_limited',
    });
    expect(server.requests - before).toBe(1);
  });

  it('times out a stalled poll as transient', async () => {
    server.respond = () => ({ stall: true });
    await expect(client.findRecent({ message: 'x' }, longAgo)).rejects.toMatchObject({
      kind: 'transient',
      message: 'ntfy did not answer within 300 ms',
    });
  });
});

describe('Function: fitMessage', () => {
  it('leaves a message at the limit alone', () => {
    const exact = 'a'.repeat(NTFY_MAX_MESSAGE_BYTES);
    expect(fitMessage(exact)).toEqual({ text: exact, truncated: false });
  });
});

describe('Function: classifyNtfyResponse', () => {
  it('reads Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const error = classifyNtfyResponse(429, '{}', 'Thu, 01 Jan 2026 00:05:00 GMT', now);
    expect(error.details.retryAfterMs).toBe(300_000);
  });

  it('falls back to the raw body when ntfy sent no JSON', () => {
    expect(classifyNtfyResponse(403, 'forbidden\n').message).toBe(
      'ntfy rejected the message (403): forbidden',
    );
  });
});
