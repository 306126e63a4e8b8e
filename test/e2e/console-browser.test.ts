/**
 * The console as a new user meets it: `npm start` (the built local runtime,
 * in its own process, fresh data dir) with a local ntfy server; a real
 * Chromium (Debian's where installed, else the one packaged in
 * @sparticuz/chromium: see test/support/chromium.ts), driven by
 * playwright-core, signs in through the development
 * OpenID provider, sends a notify message from the form, sees it delivered on
 * its page and counted on the dashboard. Screenshot: test-results/console.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type NtfyTestServer, startNtfyServer } from '@rez/core/testing';
import type { Browser } from 'playwright-core';
import { exited, startRuntimeProcess, tempDir } from '../../packages/local/tests/helpers';
import { launchChromium } from '../support/chromium';

const ARTIFACTS = path.resolve(__dirname, '../../test-results');

describe('Browser: npm start, sign in, send a notify message, see it delivered and counted', () => {
  let browser: Browser;
  let ntfy: NtfyTestServer;
  let rez: Awaited<ReturnType<typeof startRuntimeProcess>>;
  let url: string;
  const data = tempDir('rez-browser-');

  beforeAll(async () => {
    ntfy = await startNtfyServer();
    rez = await startRuntimeProcess(
      { REZ_DATA_DIR: data.dir, NTFY_BASE_URL: ntfy.url, NTFY_TOPIC: 'rez-browser' },
      30_000,
    );
    url = `http://localhost:${rez.port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rez?.child.kill('SIGTERM');
    expect(await exited(rez.child)).toBe(0);
    await ntfy?.close();
    data.remove();
  });

  it('works end to end in chromium', async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) blocked.push(msg.text());
    });

    // Sign in: the console sends us to the dev provider and back.
    await page.goto(`${url}/messages/new`);
    expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
    const match = /development account (\S+) \/ (\S+)/.exec(rez.output());
    if (!match) throw new Error(`the runtime printed no development account:\n${rez.output()}`);
    const account = { email: match[1], password: match[2] };
    await page.fill('input[name=email]', account.email);
    await page.fill('input[name=password]', account.password);
    await Promise.all([page.waitForURL(`${url}/messages/new`), page.click('button[type=submit]')]);

    // Send a notify message from the form.
    await page.fill('#title', 'Browser test <b>bold?</b>');
    await page.fill('#message', 'sent from chromium');
    await page.fill('#priority', '4');
    await page.fill('#tags', 'robot');
    await Promise.all([
      page.waitForURL(/\/messages\/[0-9A-Z]{26}$/),
      page.click('form.card button[type=submit]'),
    ]);

    // The runtime's poller delivers it; its page shows the ntfy id once completed.
    const [push] = await ntfy.waitFor(1);
    expect(push).toMatchObject({
      topic: 'rez-browser',
      title: 'Browser test <b>bold?</b>',
      message: 'sent from chromium',
      priority: 4,
      tags: ['robot'],
    });
    for (let i = 0; i < 20 && (await page.textContent('#status')) !== 'completed'; i++) {
      await page.waitForTimeout(250);
      await page.reload();
    }
    expect(await page.textContent('#status')).toBe('completed');
    expect(await page.textContent('#ntfy-id')).toBe(push.id);
    expect(await page.textContent('#title')).toBe('Browser test <b>bold?</b>');

    // Counted on the dashboard.
    await page.goto(`${url}/?window=1h`);
    expect(await page.textContent('#count-received')).toBe('1');
    expect(await page.textContent('#count-completed')).toBe('1');
    expect(await page.isVisible('svg.chart')).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'console.png'), fullPage: true });
    expect(blocked).toEqual([]);
    expect(ntfy.received).toHaveLength(1);
  }, 60_000);
});
