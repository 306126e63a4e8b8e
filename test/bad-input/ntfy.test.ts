import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtInRegistry, createMessage, NtfyClient, systemClock, ulidGenerator } from '@rez/core';
import {
  InMemoryMessageStore,
  type NtfyTestServer,
  RecordingPublisher,
  startNtfyServer,
} from '@rez/core/testing';
import { createWorkerHandler } from '@rez/worker';
import type { SQSRecord } from 'aws-lambda';
import { flood } from '../support/flood';
import { type BadAnswer, NTFY_ANSWER_CASES, type NtfyAnswerCase } from './corpus';

/** What may sit in socket buffers between two ends on loopback before the client hangs up. */
const IN_FLIGHT = 16 * 1024 * 1024;

/**
 * A proxy in front of the ntfy test server that spoils the first publish's
 * answer (after passing the publish on, or not) and the first poll's, as
 * `c` says; everything else passes through. Counts the body bytes it wrote.
 */
async function spoilingProxy(upstream: string, c: NtfyAnswerCase) {
  let publishes = 0;
  let polls = 0;
  let written = 0;
  const forward = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const out = http.request(
        new URL(req.url ?? '/', upstream),
        { method: req.method, headers: req.headers },
        async (res) => {
          const chunks: Buffer[] = [];
          for await (const chunk of res) chunks.push(chunk as Buffer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  const answer = (res: http.ServerResponse, bad: BadAnswer) => {
    res.writeHead(bad.status, bad.headers);
    if (bad.flood === undefined) {
      written += Buffer.byteLength(bad.body ?? '');
      res.end(bad.body ?? '');
      return;
    }
    flood(res, bad.flood, (size) => {
      written += size;
    });
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method === 'POST' && publishes++ === 0) {
      if (c.reachedNtfy) await forward(req, body);
      return answer(res, c.publish);
    }
    if (req.method === 'GET' && c.poll && polls++ === 0) return answer(res, c.poll);
    const passed = await forward(req, body);
    res.writeHead(passed.status, passed.headers);
    res.end(passed.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    written: () => written,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('Bad input: answers from a misbehaving ntfy, through the worker handler', () => {
  let ntfy: NtfyTestServer;
  beforeEach(async () => {
    ntfy = await startNtfyServer();
  });
  afterEach(() => ntfy.close());

  it.each(NTFY_ANSWER_CASES.map((c) => [c.name, c] as const))(
    '%s: exactly one push, the message completes, no answer held whole',
    async (_name, c) => {
      // Prepare: the worker as it runs everywhere, with a real ntfy client behind the proxy.
      const proxy = await spoilingProxy(ntfy.url, c);
      const notifier = new NtfyClient({
        baseUrl: proxy.url,
        topic: 'rez-bad-input',
        timeoutMs: 5_000,
        lookupRetryDelayMs: 5,
      });
      const store = new InMemoryMessageStore();
      const deps = {
        registry: builtInRegistry(),
        store,
        bus: new RecordingPublisher(),
        notifier,
        clock: systemClock,
        stage: 'dev' as const,
      };
      const deadLettered: string[] = [];
      const handler = createWorkerHandler({
        ...deps,
        deadLetter: async (record) => {
          deadLettered.push(record.messageId);
        },
      });
      const message = createMessage(
        { type: 'notify', payload: { message: `bad answer: ${c.name}` }, created_by: 'test', stage: 'dev' },
        { ...deps, ids: ulidGenerator() },
      );

      try {
        // Act: the queue delivers the message again after every failure, as SQS would.
        for (let receive = 1; receive <= 5; receive++) {
          await handler({ Records: [record(JSON.stringify(message), receive)] });
          if ((await store.get(message.id))?.status === 'completed') break;
        }

        // Assess
        expect(ntfy.received.map((p) => p.message)).toEqual([`bad answer: ${c.name}`]);
        // … and the id recorded is the one ntfy gave the push, never whatever the bad answer said.
        expect(await store.get(message.id)).toMatchObject({
          status: 'completed',
          ntfy_id: ntfy.received[0].id,
        });
        expect(deadLettered).toEqual([]);
        expect(proxy.written()).toBeLessThan(IN_FLIGHT);
      } finally {
        notifier.close();
        await proxy.close();
      }
    },
  );
});

function record(body: string, receiveCount: number): SQSRecord {
  return {
    messageId: `sqs-${receiveCount}`,
    receiptHandle: `rh-${receiveCount}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:rez-dev',
    awsRegion: 'us-east-1',
  } as unknown as SQSRecord;
}
