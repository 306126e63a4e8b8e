import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  builtInRegistry,
  type Message,
  type MessagePublisher,
  processMessage,
  SCHEDULES,
  systemClock,
  ulidGenerator,
} from '@rez/core';
import { InMemoryMessageStore, RecordingNotifier } from '@rez/core/testing';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { startConsole } from '../../src/server';
import { TEST_KEY } from '../support/helper';
import { MemoryQueue } from '../support/memory-queue';

// Until the local runtime (`npm start`) can be driven from here, the console runs
// over in-memory ports, with a publisher that hands each message straight to the
// real processor and a recording notifier: "delivered" means the notify handler ran.
class DeliveringPublisher implements MessagePublisher {
  constructor(readonly deliver: (message: Message) => Promise<unknown>) {}
  async publish(message: Message): Promise<void> {
    await this.deliver(message);
  }
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: test/setup/oidc.mjs starts the dev provider in globalSetup`);
  return value;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const ARTIFACTS = join(__dirname, '../../../../test-results');

describe('Browser: sign in through the dev provider, send a notify message, see it delivered and counted', () => {
  let browser: Browser;
  let app: FastifyInstance;
  let url: string;
  const notifier = new RecordingNotifier();

  beforeAll(async () => {
    const store = new InMemoryMessageStore();
    const registry = builtInRegistry();
    const stage = 'dev' as const;
    const publisher: DeliveringPublisher = new DeliveringPublisher((message) =>
      processMessage(message, { registry, store, bus: publisher, notifier, clock: systemClock, stage }),
    );
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    ({ app } = await startConsole(
      {
        stage,
        registry,
        store,
        queue: new MemoryQueue(),
        publisher,
        clock: systemClock,
        ids: ulidGenerator(),
        schedules: SCHEDULES,
        scheduleAnchor: new Date(),
        auth: {
          provider: { kind: 'oidc', issuer: env('REZ_TEST_OIDC_ISSUER') },
          clientId: env('REZ_TEST_OIDC_CLIENT_ID'),
          clientSecret: env('REZ_TEST_OIDC_CLIENT_SECRET'),
          allowedUsers: [env('REZ_TEST_OIDC_EMAIL')],
          sessionKeys: [TEST_KEY],
          publicUrl: url,
        },
      },
      { port },
    ));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('works end to end in chromium', async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) blocked.push(msg.text());
    });

    await page.goto(`${url}/messages/new`);
    expect(page.url()).toContain(`${env('REZ_TEST_OIDC_ISSUER')}/interaction/`);
    await page.fill('input[name=email]', env('REZ_TEST_OIDC_EMAIL'));
    await page.fill('input[name=password]', env('REZ_TEST_OIDC_PASSWORD'));
    await Promise.all([page.waitForURL(`${url}/messages/new`), page.click('button[type=submit]')]);

    await page.fill('#title', 'Browser test <b>bold?</b>');
    await page.fill('#message', 'sent from chromium');
    await page.fill('#priority', '4');
    await page.fill('#tags', 'robot');
    await Promise.all([
      page.waitForURL(/\/messages\/[0-9A-Z]{26}$/),
      page.click('form.card button[type=submit]'),
    ]);

    expect(await page.textContent('#status')).toBe('completed');
    expect(await page.textContent('#ntfy-id')).toBe('n1');
    expect(await page.textContent('#title')).toBe('Browser test <b>bold?</b>');
    expect(notifier.sent).toEqual([
      expect.objectContaining({
        title: 'Browser test <b>bold?</b>',
        message: 'sent from chromium',
        priority: 4,
        tags: ['robot'],
      }),
    ]);

    await page.goto(`${url}/?window=1h`);
    expect(await page.textContent('#count-received')).toBe('1');
    expect(await page.textContent('#count-completed')).toBe('1');
    expect(await page.isVisible('svg.chart')).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'console.png'), fullPage: true });
    expect(blocked).toEqual([]);
  }, 60_000);
});
