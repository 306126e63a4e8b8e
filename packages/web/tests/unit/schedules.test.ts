import { build, formSession, type TestConsole } from '../support/helper';

const STANDUP = {
  type: 'notify',
  name: 'standup',
  description: 'Stand-up <b>reminder</b>',
  expression: 'cron(0 8 ? * MON-FRI *)',
  timezone: 'Europe/Berlin',
  enabled: 'on',
  message: 'Stand-up',
  title: 'Team',
};

describe('Routes: /schedules', () => {
  let t: TestConsole;
  let session: { token: string; cookie: string };

  beforeEach(async () => {
    t = await build(); // 2026-03-01T12:00Z, a Sunday
    session = await formSession(t);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const post = (url: string, fields: Record<string, string> = {}, token: string | null = session.token) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...(token === null ? {} : { _csrf: token }), ...fields }).toString(),
    });
  const get = (url: string) => t.app.inject({ url, headers: { cookie: session.cookie } });

  it('creates a schedule from the form, puts it to EventBridge and lists its next three runs', async () => {
    const created = await post('/schedules', { ...STANDUP, action: 'save' });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/schedules?done=Saved+standup.');
    const stored = await t.schedules.get('standup');
    expect(stored).toMatchObject({
      payload: { message: 'Stand-up', title: 'Team' },
      created_by: 'web:ana@example.com',
      enabled: true,
    });
    expect(t.scheduler.schedules.get('standup')?.revision).toBe(stored?.revision);

    const page = await get('/schedules');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Stand-up &lt;b&gt;reminder&lt;/b&gt;');
    const next = /<td class="next">(.*?)<\/td>/s.exec(page.body)?.[1];
    expect(next?.match(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g)).toEqual([
      '2026-03-02 07:00 UTC',
      '2026-03-03 07:00 UTC',
      '2026-03-04 07:00 UTC',
    ]);
    expect(page.body).toContain('hello-world'); // the built-in, read-only
  });

  it('previews the next five runs without saving, and shows field errors from the server', async () => {
    const preview = await post('/schedules', { ...STANDUP, action: 'preview' });
    expect(preview.statusCode).toBe(200);
    expect(/<div class="card notice" id="preview">(.*?)<\/div>/s.exec(preview.body)?.[1]).toContain(
      '2026-03-06 07:00 UTC',
    );
    expect(await t.schedules.count()).toBe(0);

    const bad = await post('/schedules', {
      ...STANDUP,
      expression: 'cron(0 8 * * MON *)',
      timezone: 'Mars/Olympus',
      message: '',
      action: 'preview',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toMatch(/id="error-expression">[^<]*exactly one of day-of-month and day-of-week/);
    expect(bad.body).toMatch(/id="error-timezone">[^<]*is not an IANA time zone/);
    expect(bad.body).toMatch(/id="error-message">must not be empty/);
    expect(t.scheduler.calls).toEqual([]);
  });

  it('refuses a post without the CSRF token', async () => {
    const response = await post('/schedules', { ...STANDUP, action: 'save' }, null);
    expect(response.statusCode).toBe(403);
    expect(await t.schedules.count()).toBe(0);
  });

  it('refuses every change to a schedule without the CSRF token (checked as each route is registered)', async () => {
    await post('/schedules', { ...STANDUP, action: 'save' });
    const before = await t.schedules.get('standup');
    const calls = t.scheduler.calls.length;
    const revision = before?.revision as string;
    for (const [url, fields] of [
      ['/schedules/standup', { ...STANDUP, revision, enabled: '', action: 'save' }],
      ...['pause', 'resume', 'run', 'repair', 'delete'].map((action) => [
        `/schedules/standup/${action}`,
        { revision },
      ]),
    ] as [string, Record<string, string>][]) {
      const response = await post(url, fields, null);
      expect([url, response.statusCode]).toEqual([url, 403]);
    }
    expect(await t.schedules.get('standup')).toEqual(before);
    expect(t.scheduler.calls).toHaveLength(calls);
    expect(t.publisher.published).toEqual([]);
  });

  it('edits, pauses, resumes, runs now and deletes after a confirmation', async () => {
    await post('/schedules', { ...STANDUP, action: 'save' });
    const form = await get('/schedules/standup');
    expect(form.statusCode).toBe(200);
    const revision = /name="revision" value="([^"]+)"/.exec(form.body)?.[1] as string;
    expect(form.body).not.toContain('id="differences"');

    const edited = await post('/schedules/standup', { ...STANDUP, revision, priority: '5', action: 'save' });
    expect(edited.statusCode).toBe(303);
    expect((await t.schedules.get('standup'))?.payload).toMatchObject({ priority: 5 });
    // The same form again, from the revision it was made from: someone changed it since.
    const stale = await post('/schedules/standup', { ...STANDUP, revision, action: 'save' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('was changed or deleted by someone else');

    expect((await post('/schedules/standup/pause')).statusCode).toBe(303);
    expect(t.scheduler.schedules.get('standup')?.enabled).toBe(false);
    expect((await post('/schedules/standup/resume')).statusCode).toBe(303);
    expect(t.scheduler.schedules.get('standup')?.enabled).toBe(true);

    const run = await post('/schedules/standup/run');
    expect(run.statusCode).toBe(303);
    const [message] = t.publisher.published;
    expect(run.headers.location).toBe(`/messages/${message.id}`);
    expect(message.metadata.created_by).toBe('scheduler:standup');
    const list = await get('/schedules');
    expect(/<td class="last-run">(.*?)<\/td>/s.exec(list.body)?.[1]).toContain(`/messages/${message.id}`);

    const confirm = await get('/schedules/standup/delete');
    expect(confirm.body).toContain('id="confirm-delete"');
    expect(await t.schedules.count()).toBe(1);
    expect((await post('/schedules/standup/delete')).statusCode).toBe(303);
    expect(await t.schedules.count()).toBe(0);
    expect(t.scheduler.schedules.has('standup')).toBe(false);
  });

  it('shows where EventBridge disagrees with the store, and repairs it', async () => {
    await post('/schedules', { ...STANDUP, action: 'save' });
    t.scheduler.schedules.delete('standup'); // someone deleted it in the AWS console
    const form = await get('/schedules/standup');
    expect(form.body).toMatch(/id="differences".*EventBridge Scheduler has no schedule by this name/s);
    // A repair of a schedule with nothing pending leaves it; an edit puts it back.
    const revision = /name="revision" value="([^"]+)"/.exec(form.body)?.[1] as string;
    await post('/schedules/standup', { ...STANDUP, revision, action: 'save' });
    expect(t.scheduler.schedules.has('standup')).toBe(true);
  });

  it.each([
    ['/schedules/nope', 'GET'],
    ['/schedules/nope/delete', 'GET'],
    ['/schedules/nope/pause', 'POST'],
    ['/schedules/nope/run', 'POST'],
    ['/schedules/nope/delete', 'POST'],
  ])('answers 404 for %s (%s) of an unknown schedule', async (url, method) => {
    const response = method === 'GET' ? await get(url) : await post(url);
    expect(response.statusCode).toBe(404);
  });

  it('answers 400 for a name EventBridge would never take in the URL', async () => {
    expect((await get('/schedules/..%2F..%2Fetc')).statusCode).toBe(400);
  });
});
