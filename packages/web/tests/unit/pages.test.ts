import { sampleMessage } from '@rez/core/testing';
import { build, formSession, injectWithLogin, type TestConsole } from '../support/helper';

describe('Console pages', () => {
  let t: TestConsole;
  beforeEach(async () => {
    t = await build();
  });
  afterEach(async () => {
    await t.app.close();
  });

  describe('GET /', () => {
    it('counts messages by outcome, type and stage over the window, with queue and DLQ depth', async () => {
      const now = t.clock.now();
      const within = new Date(now.getTime() - 30 * 60_000);
      const a = sampleMessage({ at: within.toISOString() });
      const b = sampleMessage({ at: within.toISOString(), type: 'hello_world', payload: {}, stage: 'stage' });
      await t.store.put(a, within);
      await t.store.put(b, within);
      await t.store.claim(a, { now: within, leaseMs: 1000 });
      await t.store.complete(a.id, { now: within, result: { ntfy_id: 'n1' } });
      await t.store.claim(b, { now: within, leaseMs: 1000 });
      await t.store.fail(b.id, { now: within, error: { code: 'X', reason: 'boom', permanent: false } });
      const old = new Date(now.getTime() - 3 * 3_600_000);
      await t.store.put(sampleMessage({ at: old.toISOString() }), old);
      t.queue.visible = 3;
      t.queue.dead.push({ transportId: 't1', body: JSON.stringify(b), receiveCount: 2, sentAt: within });

      const hour = await injectWithLogin(t, { url: '/?window=1h' });
      const day = await injectWithLogin(t, { url: '/?window=24h' });

      expect(hour.statusCode).toBe(200);
      expect(hour.body).toMatch(/id="count-received">2</);
      expect(hour.body).toMatch(/id="count-completed">1</);
      expect(hour.body).toMatch(/id="count-failed">1</);
      expect(hour.body).toMatch(/id="queue-depth">3 \+ 0</);
      expect(hour.body).toMatch(/id="dlq-depth">1</);
      expect(hour.body).toMatch(/<td>stage<\/td><td>1<\/td><td>0<\/td><td>1<\/td>/);
      expect(hour.body).toContain('<svg class="chart"');
      expect(day.body).toMatch(/id="count-received">3</);
    });

    it("shows each schedule's last run from the store and its next run", async () => {
      const at = new Date('2026-03-01T00:00:00.000Z');
      const run = sampleMessage({ at: at.toISOString(), type: 'hello_world', payload: {} });
      run.metadata.created_by = 'scheduler:hello-world';
      await t.store.put(run, at);

      const response = await injectWithLogin(t, { url: '/' });

      expect(response.body).toContain(`href="/messages/${run.id}">2026-03-01 00:00 UTC</a>`);
      // rate(24 hours) anchored at 2026-01-01T00:00Z, now 2026-03-01T12:00Z.
      expect(response.body).toContain('<td>2026-03-02 00:00 UTC</td>');
    });

    it('counts a rate() schedule’s next run from its last run, as EventBridge fires it', async () => {
      const at = new Date('2026-03-01T06:30:00.000Z');
      const run = sampleMessage({ at: at.toISOString(), type: 'hello_world', payload: {} });
      run.metadata.created_by = 'scheduler:hello-world';
      await t.store.put(run, at);

      const response = await injectWithLogin(t, { url: '/' });

      // Last run 06:30, every 24 hours, now 2026-03-01T12:00Z: next is tomorrow 06:30, not the anchor's midnight.
      expect(response.body).toContain('<td>2026-03-02 06:30 UTC</td>');
    });

    it('still renders when the queue cannot be read', async () => {
      t.queue.failDepth = new Error('AccessDenied');
      const response = await injectWithLogin(t, { url: '/' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('queue depth unavailable');
    });

    it('refuses an unknown window with 400', async () => {
      const response = await injectWithLogin(t, { url: '/?window=1y' });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('querystring/window must be equal to one of the allowed values');
    });
  });

  describe('GET /messages', () => {
    it('filters by status, type, stage and created_by, and pages with a cursor', async () => {
      for (let i = 0; i < 30; i++) {
        const at = new Date(Date.UTC(2026, 2, 1, 10, i));
        await t.store.put(sampleMessage({ at: at.toISOString() }), at);
      }
      const other = sampleMessage({ at: '2026-03-01T11:00:00.000Z', type: 'hello_world', payload: {} });
      other.metadata.created_by = 'web:bob';
      await t.store.put(other, new Date('2026-03-01T11:00:00.000Z'));

      const first = await injectWithLogin(t, {
        url: '/messages?status=queued&type=notify&stage=dev&created_by=',
      });
      const rows = (html: string) => html.match(/<tr>\s*<td>2026/g)?.length ?? 0;
      expect(first.statusCode).toBe(200);
      expect(rows(first.body)).toBe(25);
      const next = /href="(\/messages\?[^"]*cursor=[^"]+)" rel="next"/.exec(first.body)?.[1];
      expect(next).toBeDefined();
      const second = await injectWithLogin(t, { url: (next as string).replace(/&amp;/g, '&') });
      expect(rows(second.body)).toBe(5);
      expect(second.body).not.toContain('rel="next"');

      const byCreator = await injectWithLogin(t, { url: '/messages?created_by=web%3Abob' });
      expect(rows(byCreator.body)).toBe(1);
      expect(byCreator.body).toContain(other.id);
    });

    it('refuses a status that does not exist', async () => {
      const response = await injectWithLogin(t, { url: '/messages?status=lost' });
      expect(response.statusCode).toBe(400);
    });
  });

  describe('GET /messages/:id', () => {
    it('shows payload, lifecycle, ntfy id and lineage both ways', async () => {
      const at = new Date('2026-03-01T10:00:00.000Z');
      const parent = sampleMessage({ at: at.toISOString(), type: 'hello_world', payload: {} });
      const child = sampleMessage({
        at: at.toISOString(),
        causation_id: parent.id,
        correlation_id: parent.id,
        hop: 1,
      });
      await t.store.put(parent, at);
      await t.store.put(child, at);
      await t.store.claim(child, { now: at, leaseMs: 1000 });
      await t.store.complete(child.id, { now: at, result: { ntfy_id: 'ntfy-123' } });

      const parentPage = await injectWithLogin(t, { url: `/messages/${parent.id}` });
      const childPage = await injectWithLogin(t, { url: `/messages/${child.id}` });

      expect(parentPage.body).toContain(`href="/messages/${child.id}"`);
      expect(parentPage.body).toContain('none — a root message');
      expect(childPage.body).toContain(`href="/messages/${parent.id}"`);
      expect(childPage.body).toMatch(/id="ntfy-id">ntfy-123</);
      expect(childPage.body).toMatch(/id="status">completed</);
      expect(childPage.body).toContain('&quot;message&quot;: &quot;hello&quot;');
      expect(childPage.body.match(/<td>2026-03-01 10:00 UTC<\/td><td class="status/g)).toHaveLength(3);
    });

    it('answers 404 for an unknown id and 400 for something that is not an id', async () => {
      expect((await injectWithLogin(t, { url: '/messages/01JNB0X5V3B6B2Y9Q4T8Z6K1MC' })).statusCode).toBe(
        404,
      );
      expect((await injectWithLogin(t, { url: '/messages/nope' })).statusCode).toBe(400);
    });
  });

  describe('/failed', () => {
    it("lists dead letters with the store's reason and attempts, and redrives one or all", async () => {
      const at = new Date('2026-03-01T10:00:00.000Z');
      const broken = sampleMessage({ at: at.toISOString() });
      await t.store.put(broken, at);
      await t.store.claim(broken, { now: at, leaseMs: 1 });
      await t.store.claim(broken, { now: new Date(at.getTime() + 10), leaseMs: 1 });
      await t.store.fail(broken.id, {
        now: at,
        error: { code: 'NTFY_REJECTED', reason: 'ntfy said 400', permanent: true },
      });
      t.queue.dead.push(
        { transportId: 'tid-1', body: JSON.stringify(broken), receiveCount: 2, sentAt: at },
        { transportId: 'tid-2', body: 'not json', receiveCount: 3, sentAt: at },
        { transportId: 'tid-3', body: '{"id":"x"}', receiveCount: 1, sentAt: at },
      );
      const { token, cookie } = await formSession(t);

      const list = await t.app.inject({ url: '/failed', headers: { cookie } });
      expect(list.body).toContain('ntfy said 400');
      expect(list.body).toMatch(/ntfy said 400<\/td>\s*<td>2<\/td>/);
      expect(list.body).toContain('body is not a Rez message');

      const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
      const one = await t.app.inject({
        method: 'POST',
        url: '/failed/redrive',
        headers: form,
        payload: `_csrf=${encodeURIComponent(token)}&transportId=tid-2`,
      });
      expect(one.statusCode).toBe(303);
      expect(one.headers.location).toBe('/failed?moved=1');
      expect(t.queue.redriven.map((d) => d.transportId)).toEqual(['tid-2']);

      const all = await t.app.inject({
        method: 'POST',
        url: '/failed/redrive',
        headers: form,
        payload: `_csrf=${encodeURIComponent(token)}`,
      });
      expect(all.headers.location).toBe('/failed?moved=2');
      expect(t.queue.dead).toHaveLength(0);
    });

    it('says how many a bounded redrive moved, and that more remain, until none do', async () => {
      const at = new Date('2026-03-01T10:00:00.000Z');
      for (let i = 1; i <= 3; i++)
        t.queue.dead.push({ transportId: `tid-${i}`, body: 'not json', receiveCount: 3, sentAt: at });
      t.queue.redriveLimit = 2; // as SqsQueue stops at its budget
      const { token, cookie } = await formSession(t);
      const redriveAll = () =>
        t.app.inject({
          method: 'POST',
          url: '/failed/redrive',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          payload: `_csrf=${encodeURIComponent(token)}`,
        });

      const first = await redriveAll();
      expect(first.headers.location).toBe('/failed?moved=2&more=true');
      const page = await t.app.inject({ url: first.headers.location as string, headers: { cookie } });
      expect(page.body).toContain('Moved 2 message(s) back to the queue.');
      expect(page.body).toContain(
        'More dead letters remain than one redrive gets through: press Redrive all again.',
      );

      const second = await redriveAll();
      expect(second.headers.location).toBe('/failed?moved=1');
      const done = await t.app.inject({ url: second.headers.location as string, headers: { cookie } });
      expect(done.body).toContain('Moved 1 message(s) back to the queue.');
      expect(done.body).not.toContain('More dead letters remain');
    });

    it('refuses a redrive without a CSRF token', async () => {
      t.queue.dead.push({ transportId: 'tid-1', body: '{}', receiveCount: 2, sentAt: new Date() });
      const { cookie } = await formSession(t);
      const response = await t.app.inject({
        method: 'POST',
        url: '/failed/redrive',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: '',
      });
      expect(response.statusCode).toBe(403);
      expect(t.queue.redriven).toHaveLength(0);
    });
  });

  describe('Logout', () => {
    it('ends the session and lands on the signed-out page', async () => {
      const { token, cookie } = await formSession(t);
      const response = await t.app.inject({
        method: 'POST',
        url: '/auth/logout',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${encodeURIComponent(token)}`,
      });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/auth/signed-out');
      const cleared = response.cookies.find((c) => c.name === 'rez_session');
      expect(cleared?.maxAge).toBe(0);
    });
  });
});
