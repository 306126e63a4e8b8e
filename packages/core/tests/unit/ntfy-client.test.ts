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
    });
  });

  it('reports an unreachable server as transient', async () => {
    const url = server.url;
    await server.close();
    const offline = new NtfyClient({ baseUrl: url, topic: 't' });
    await expect(offline.publish({ message: 'x' })).rejects.toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(/cannot reach ntfy/),
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
