/**
 * The console as a new user meets it: `npm start` (the built local runtime,
 * in its own process, fresh data dir) with a local ntfy server; a real
 * Chromium (Debian's where installed, else the one packaged in
 * @sparticuz/chromium: see test/support/chromium.ts), driven by
 * playwright-core, signs in through the development
 * OpenID provider, sends a notify message from the form, sees it delivered on
 * its page and counted on the dashboard; then creates a one-time schedule from
 * the Schedules form and sees its push arrive and its last run on the page,
 * and presses that push's Run again button (its signed link, as the phone
 * would) and sees the schedule run again.
 * Screenshots: test-results/console.png, test-results/schedules.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type NtfyTestServer, startNtfyServer } from '@rez/core/testing';
import type { Browser, Page } from 'playwright-core';
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

  /** A new page, signed in through the dev provider, at `path`; it collects CSP refusals into `blocked`. */
  async function signedIn(path: string, blocked: string[]): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) blocked.push(msg.text());
    });
    // Sign in: the console sends us to the dev provider and back.
    await page.goto(`${url}${path}`);
    expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
    const match = /development account (\S+) \/ (\S+)/.exec(rez.output());
    if (!match) throw new Error(`the runtime printed no development account:\n${rez.output()}`);
    const account = { email: match[1], password: match[2] };
    await page.fill('input[name=email]', account.email);
    await page.fill('input[name=password]', account.password);
    await Promise.all([page.waitForURL(`${url}${path}`), page.click('button[type=submit]')]);
    return page;
  }

  it('works end to end in chromium', async () => {
    const blocked: string[] = [];
    const page = await signedIn('/messages/new', blocked);

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

  it('creates a schedule from the form that fires within seconds: its push arrives, its last run shows', async () => {
    const blocked: string[] = [];
    const page = await signedIn('/schedules/new', blocked);

    // The browser checks the expression and time zone as they are typed (the page runs no script).
    const valid = (selector: string) =>
      page.$eval(selector, (input) => (input as unknown as { validity: { valid: boolean } }).validity.valid);
    await page.fill('#expression', 'every day at 8');
    expect(await valid('#expression')).toBe(false);
    await page.fill('#expression', 'cron(0 8 ? * MON-FRI *)');
    expect(await valid('#expression')).toBe(true);
    await page.fill('#timezone', 'Europe/Berlin');
    expect(await valid('#timezone')).toBe(true);

    // The server previews the next five runs without saving.
    await page.fill('#name', 'browser-once');
    await page.fill('#message', 'fired by a schedule');
    await page.fill('#expression', 'rate(5 minutes)');
    await Promise.all([page.waitForURL(`${url}/schedules`), page.click('#preview-button')]);
    expect(await page.locator('#preview li').count()).toBe(5);

    // Once, a few seconds from now (at() takes seconds; the local loop fires on the second).
    const at = new Date(Date.now() + 6_000).toISOString().slice(0, 19);
    await page.fill('#timezone', 'UTC');
    await page.fill('#expression', `at(${at})`);
    await Promise.all([page.waitForURL(/\/schedules\?done=/), page.click('#save-button')]);
    expect(await page.textContent('#schedule-browser-once')).toContain(`at(${at})`);

    const pushes = await ntfy.waitFor(2);
    expect(pushes[1]).toMatchObject({ topic: 'rez-browser', message: 'fired by a schedule' });
    let lastRun = '';
    for (let i = 0; i < 40 && !/completed/.test(lastRun); i++) {
      await page.waitForTimeout(250);
      await page.reload();
      lastRun = (await page.textContent('#schedule-browser-once .last-run')) ?? '';
    }
    expect(lastRun).toContain('completed');
    await page.click('#schedule-browser-once .last-run a');
    expect(await page.textContent('#ntfy-id')).toBe(pushes[1].id);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.goto(`${url}/schedules`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'schedules.png'), fullPage: true });
    expect(blocked).toEqual([]);
    expect(ntfy.received).toHaveLength(2); // exactly one push from the one-time schedule
  }, 60_000);

  it('presses the Run again button of the schedule’s push: a confirm page first, then the run; a second press is refused', async () => {
    const blocked: string[] = [];
    // The push the schedule's run sent carries its buttons: Open, Snooze and Run again.
    const push = ntfy.received[1];
    expect(push.click).toMatch(new RegExp(`^${url}/messages/[0-9A-Z]{26}$`));
    expect(push.actions?.map((a) => [a.action, a.label])).toEqual([
      ['view', 'Open'],
      ['http', 'Snooze 24h'],
      ['http', 'Run again'],
    ]);
    const runAgain = push.actions?.find((a) => a.label === 'Run again');
    expect(runAgain).toMatchObject({ method: 'POST', url: expect.stringMatching(`^${url}/actions/v1\\.`) });

    // Opening the link (a browser, a link preview) only shows what it would do: no session needed.
    const page = await browser.newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) blocked.push(msg.text());
    });
    await page.goto(runAgain?.url ?? '');
    expect(await page.textContent('#action-description')).toContain('Run schedule browser-once again now');
    await page.waitForTimeout(500);
    expect(ntfy.received).toHaveLength(2);

    // Its button POSTs the link, as the phone does: the schedule runs again.
    await Promise.all([page.waitForLoadState(), page.click('#action-confirm')]);
    expect(await page.textContent('#action-result')).toMatch(
      /schedule browser-once ran again: message [0-9A-Z]{26}/,
    );
    const pushes = await ntfy.waitFor(3);
    expect(pushes[2]).toMatchObject({ topic: 'rez-browser', message: 'fired by a schedule' });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'push-action.png'), fullPage: true });

    // The same button again: refused, nothing sent.
    const again = await page.request.post(runAgain?.url ?? '');
    expect(again.status()).toBe(409);
    await page.waitForTimeout(500);
    expect(ntfy.received).toHaveLength(3);
    expect(blocked).toEqual([]);
    await page.close();
  }, 60_000);

  it('replays a dead-lettered message from the Failed page with an edited payload', async () => {
    const blocked: string[] = [];
    const page = await signedIn('/messages/new', blocked);
    // ntfy refuses this one text (a 4xx): the message fails permanently and goes to the DLQ at once.
    ntfy.respond = ({ body }) =>
      body.message === 'broken text'
        ? { status: 400, body: { code: 40010, http: 400, error: 'invalid request' } }
        : undefined;
    await page.fill('#title', 'Replay me');
    await page.fill('#message', 'broken text');
    await Promise.all([
      page.waitForURL(/\/messages\/[0-9A-Z]{26}$/),
      page.click('form.card button[type=submit]'),
    ]);
    const originalId = page.url().split('/').at(-1) as string;

    let replayLink = page.locator(`a[href="/messages/${originalId}/replay"]`);
    for (let i = 0; i < 40 && (await replayLink.count()) === 0; i++) {
      await page.waitForTimeout(250);
      await page.goto(`${url}/failed`);
      replayLink = page.locator(`a[href="/messages/${originalId}/replay"]`);
    }
    await Promise.all([page.waitForURL(`${url}/messages/${originalId}/replay`), replayLink.click()]);
    expect(await page.inputValue('#title')).toBe('Replay me');
    expect(await page.inputValue('#message')).toBe('broken text');
    await page.fill('#message', 'fixed text');
    await Promise.all([
      page.waitForURL(/\/messages\/[0-9A-Z]{26}$/),
      page.click('form.card button[type=submit]'),
    ]);
    const replayId = page.url().split('/').at(-1) as string;
    expect(replayId).not.toBe(originalId);

    // The failure raised an alert push (with Retry) before the replay was sent.
    await ntfy.waitFor(5);
    expect(ntfy.received.find((p) => p.title === `Failed: notify ${originalId}`)).toBeDefined();
    expect(ntfy.received.find((p) => p.title === 'Replay me')).toMatchObject({ message: 'fixed text' });
    for (let i = 0; i < 20 && (await page.textContent('#status')) !== 'completed'; i++) {
      await page.waitForTimeout(250);
      await page.reload();
    }
    expect(await page.textContent('#status')).toBe('completed');
    expect(await page.locator(`a[href="/messages/${originalId}"]`).count()).toBeGreaterThan(0);
    await page.goto(`${url}/messages/${originalId}`);
    expect(await page.textContent('#replays')).toContain(replayId);
    expect(blocked).toEqual([]);
  }, 60_000);
});
