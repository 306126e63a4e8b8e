import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NTFY_MAX_ANSWER_BYTES, NtfyClient, NtfyError } from '@rez/core';
import { flood } from '../../../../test/support/flood';

/**
 * A misbehaving server: answers every request with `status`, `headers` and
 * `body` — or, with `flood`, a body of that many bytes written as fast as
 * the client takes them (until it hangs up) — counting the bytes it got to
 * write. What a client holds of an answer can never exceed what it read.
 */
async function answeringServer(answer: {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  flood?: { bytes: number; line?: string };
}) {
  let written = 0;
  const server = http.createServer(async (req, res) => {
    for await (const _ of req); // the request, in full
    res.writeHead(answer.status, answer.headers);
    if (!answer.flood) {
      res.end(answer.body ?? '');
      return;
    }
    const unit = answer.flood.line === undefined ? undefined : Buffer.from(answer.flood.line);
    flood(
      res,
      answer.flood.bytes,
      (size) => {
        written += size;
      },
      unit,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    written: () => written,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const FLOOD = 48 * 1024 * 1024;
/** What may sit in socket buffers between the two ends on loopback before the client hangs up. */
const IN_FLIGHT = 16 * 1024 * 1024;
const longAgo = new Date(Date.now() - 3_600_000);

describe('NtfyClient: answers are read with a bound', () => {
  let server: Awaited<ReturnType<typeof answeringServer>> | undefined;
  let client: NtfyClient | undefined;
  const connect = async (answer: Parameters<typeof answeringServer>[0]) => {
    server = await answeringServer(answer);
    client = new NtfyClient({ baseUrl: server.url, topic: 'rez-test', timeoutMs: 10_000 });
    return { server, client };
  };
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  it('stops reading a publish answer past 64 KiB: transient, and the push may have happened', async () => {
    // Prepare
    const { server, client } = await connect({ status: 200, flood: { bytes: FLOOD } });

    // Act
    const error = await client.publish({ message: 'x' }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(NtfyError);
    expect(error).toMatchObject({
      kind: 'transient',
      effectUnknown: true,
      details: { status: 200 },
      message: `ntfy answered 200 with more than ${NTFY_MAX_ANSWER_BYTES} bytes; stopped reading (the push may have been accepted)`,
    });
    expect(server.written()).toBeLessThan(IN_FLIGHT);
  });

  it.each([
    [500, 'transient'],
    [400, 'transient'],
    [404, 'transient'],
  ])(
    'treats an oversize %i answer as transient (a proxy’s page, not ntfy’s verdict)',
    async (status, kind) => {
      const { server, client } = await connect({ status, flood: { bytes: FLOOD } });
      await expect(client.publish({ message: 'x' })).rejects.toMatchObject({ kind, effectUnknown: true });
      expect(server.written()).toBeLessThan(IN_FLIGHT);
    },
  );

  it('still waits out the Retry-After of an oversize 429', async () => {
    const { client } = await connect({
      status: 429,
      headers: { 'retry-after': '120' },
      flood: { bytes: FLOOD },
    });
    await expect(client.publish({ message: 'x' })).rejects.toMatchObject({
      kind: 'rate_limited',
      details: { retryAfterMs: 120_000 },
    });
  });

  it('refuses an answer whose Content-Length is over the bound before reading it', async () => {
    const { server, client } = await connect({
      status: 200,
      headers: { 'content-length': String(FLOOD) },
      flood: { bytes: FLOOD },
    });
    await expect(client.publish({ message: 'x' })).rejects.toMatchObject({
      kind: 'transient',
      effectUnknown: true,
    });
    expect(server.written()).toBeLessThan(IN_FLIGHT);
  });

  it('reads a poll line by line: a poll line over 64 KiB is transient, never "not found"', async () => {
    const { server, client } = await connect({ status: 200, flood: { bytes: FLOOD } });
    await expect(client.findRecent({ message: 'x' }, longAgo)).rejects.toMatchObject({
      kind: 'transient',
      message: `ntfy answered the poll with a line over ${NTFY_MAX_ANSWER_BYTES} bytes; stopped reading`,
    });
    expect(server.written()).toBeLessThan(IN_FLIGHT);
  });

  it('finds a match behind megabytes of other messages (the whole poll is streamed, one line held at a time)', async () => {
    // Prepare: 2,000 cached messages of ~4 KiB before ours: an answer of 8 MiB in all.
    const other = (i: number) =>
      JSON.stringify({
        id: `o${i}`,
        time: 1,
        event: 'message',
        topic: 'rez-test',
        message: 'y'.repeat(4000),
      });
    const ours = JSON.stringify({ id: 'ours1', time: 2, event: 'message', topic: 'rez-test', message: 'x' });
    const body = `${Array.from({ length: 2000 }, (_, i) => other(i)).join('\n')}\n${ours}\n`;
    const { client } = await connect({ status: 200, body });

    // Act / Assess
    await expect(client.findRecent({ message: 'x' }, longAgo)).resolves.toEqual({
      id: 'ours1',
      truncated: false,
    });
  });

  it('stops reading a poll at the first match', async () => {
    const ours = `${JSON.stringify({ id: 'ours1', time: 2, event: 'message', topic: 'rez-test', message: 'x' })}\n`;
    const { server, client } = await connect({ status: 200, flood: { bytes: FLOOD, line: ours } });
    await expect(client.findRecent({ message: 'x' }, longAgo)).resolves.toEqual({
      id: 'ours1',
      truncated: false,
    });
    expect(server.written()).toBeLessThan(IN_FLIGHT);
  });
});

describe('NtfyClient: a 2xx without a usable message id', () => {
  let server: Awaited<ReturnType<typeof answeringServer>> | undefined;
  let client: NtfyClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  it.each([
    ['an empty body', 200, ''],
    ['204 No Content', 204, ''],
    ['an HTML page', 200, '<html><body>OK</body></html>'],
    ['JSON without id', 200, '{"event":"message"}'],
    ['a numeric id', 200, '{"id":5}'],
    ['an empty id', 200, '{"id":""}'],
    ['an id with a terminal escape', 200, '{"id":"\\u001b]0;pwned\\u0007"}'],
    ['truncated JSON', 200, '{"id":"abc'],
  ])(
    '%s: transient, and the push may have happened (look before sending again)',
    async (_what, status, body) => {
      server = await answeringServer({ status, body });
      client = new NtfyClient({ baseUrl: server.url, topic: 'rez-test' });
      await expect(client.publish({ message: 'x' })).rejects.toMatchObject({
        kind: 'transient',
        effectUnknown: true,
        details: { status },
      });
    },
  );
});

describe('NtfyClient: an answer that breaks off', () => {
  it('is transient with an unknown effect, at once rather than at the timeout', async () => {
    // Prepare: headers and half a body, then the connection drops.
    const server = http.createServer(async (req, res) => {
      for await (const _ of req);
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"id":"abc');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new NtfyClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      topic: 'rez-test',
      timeoutMs: 5_000,
    });
    const started = Date.now();

    // Act
    const error = await client.publish({ message: 'x' }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ kind: 'transient', effectUnknown: true, details: { status: 200 } });
    expect((error as Error).message).toMatch(/^ntfy's answer broke off: /);
    expect(Date.now() - started).toBeLessThan(2_000);
    client.close();
    server.closeAllConnections();
    server.close();
  });
});
