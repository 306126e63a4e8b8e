import { BODY_LIMIT } from '../../src/app';
import { build, formSession, type TestConsole } from '../support/helper';

describe('POST /messages: the manual message form', () => {
  let t: TestConsole;
  let session: { token: string; cookie: string };

  beforeEach(async () => {
    t = await build();
    session = await formSession(t);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const post = (fields: Record<string, string>, token: string | null = session.token) =>
    t.app.inject({
      method: 'POST',
      url: '/messages',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...(token === null ? {} : { _csrf: token }), ...fields }).toString(),
    });

  it('publishes a notify message created by web:<user> through the bus and redirects to its page', async () => {
    const response = await post({
      type: 'notify',
      title: 'Deploy',
      message: 'done',
      priority: '4',
      tags: 'rocket, ok',
      click: 'https://example.com/run/1',
      markdown: 'on',
    });

    expect(response.statusCode).toBe(303);
    const [message] = t.publisher.published;
    expect(response.headers.location).toBe(`/messages/${message.id}`);
    expect(message).toMatchObject({
      type: 'notify',
      payload: {
        title: 'Deploy',
        message: 'done',
        priority: 4,
        tags: ['rocket', 'ok'],
        click: 'https://example.com/run/1',
        markdown: true,
      },
      metadata: { created_by: 'web:ana@example.com', stage: 'dev' },
    });
    expect((await t.store.get(message.id))?.status).toBe('queued');
  });

  it('sends other types from a JSON payload', async () => {
    const response = await post({ type: 'hello_world', payload: '{"greeting": "hi"}' });
    expect(response.statusCode).toBe(303);
    expect(t.publisher.published[0]).toMatchObject({ type: 'hello_world', payload: { greeting: 'hi' } });
  });

  it.each([
    [
      'an over-long title',
      { type: 'notify', title: 't'.repeat(251), message: 'x' },
      'title',
      'must be at most 250 characters',
    ],
    ['an empty message', { type: 'notify', message: '' }, 'message', 'must not be empty'],
    [
      'a priority that is not a number',
      { type: 'notify', message: 'x', priority: 'high' },
      'priority',
      'must be a whole number from 1 to 5, got &quot;high&quot;',
    ],
    [
      'a priority out of range',
      { type: 'notify', message: 'x', priority: '9' },
      'priority',
      'must be a whole number from 1 to 5',
    ],
    [
      'a click URL that is not http(s)',
      { type: 'notify', message: 'x', click: 'javascript:alert(1)' },
      'click',
      'must be an http(s) URL',
    ],
    [
      'a JSON payload that does not parse',
      { type: 'hello_world', payload: '{nope' },
      'payload',
      'is not valid JSON',
    ],
    [
      'a JSON payload that is not an object',
      { type: 'hello_world', payload: '[1, 2]' },
      'payload',
      'must be a JSON object',
    ],
    [
      'a payload field of the wrong type',
      { type: 'hello_world', payload: '{"greeting": 5}' },
      'payload',
      'greeting: ',
    ],
  ])(
    're-renders the form with a field error for %s, publishing nothing',
    async (_name, fields, field, text) => {
      const response = await post(fields);

      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.body).toContain('The message was not sent');
      const error = new RegExp(`id="error-${field}">([^<]*)<`).exec(response.body)?.[1];
      expect(error).toContain(text);
      expect(t.publisher.published).toHaveLength(0);
      expect(t.store.records.size).toBe(0);
    },
  );

  it('keeps what was typed when it re-renders, escaped', async () => {
    const response = await post({ type: 'notify', title: '<b>keep</b>', message: 'x', priority: 'high' });
    expect(response.body).toContain('value="&lt;b&gt;keep&lt;/b&gt;"');
  });

  it('refuses an unknown type with the form and the list of known types', async () => {
    const response = await post({ type: 'launch_rockets', message: 'x' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(`unknown type; choose one of ${t.deps.registry.types().join(', ')}`);
    expect(t.publisher.published).toHaveLength(0);
  });

  it.each([
    ['CJK (3 bytes of UTF-8, 9 percent-encoded)', '界', 65_536],
    ['emoji (4 bytes of UTF-8, 12 percent-encoded)', '😀', 32_768],
  ])(
    'accepts the longest notify message in %s: its encoded form is far over 256 KiB, the message is not',
    async (_name, char, count) => {
      const message = char.repeat(count);
      const encoded = new URLSearchParams({ message }).toString().length;
      expect(encoded).toBeGreaterThan(380 * 1024);

      const response = await post({ type: 'notify', message });

      expect(response.statusCode).toBe(303);
      expect(t.publisher.published[0]?.payload.message).toBe(message);
    },
  );

  it("refuses a message over its type's limit with the field error, however it was encoded", async () => {
    const response = await post({ type: 'notify', message: '界'.repeat(65_537) });
    expect(response.statusCode).toBe(422);
    expect(/id="error-message">([^<]*)</.exec(response.body)?.[1]).toBe('must be at most 65,536 characters');
    expect(t.publisher.published).toHaveLength(0);
  });

  it('answers 413 with a clear page for a body over the limit, before parsing it', async () => {
    const response = await post({ type: 'notify', message: 'a'.repeat(BODY_LIMIT) });
    expect(response.statusCode).toBe(413);
    expect(response.body).toContain('a message may be at most 256 KiB');
    expect(t.publisher.published).toHaveLength(0);
  });

  it('answers 400 with a clear page when a field is beyond any sane size', async () => {
    const response = await post({ type: 'notify', message: 'x', tags: 't,'.repeat(1500) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('body/tags must NOT have more than 2000 characters');
    expect(t.publisher.published).toHaveLength(0);
  });

  it.each([
    ['missing', null],
    ['wrong', 'not-the-token'],
  ])('refuses a %s CSRF token with 403 and publishes nothing', async (_name, token) => {
    const response = await post({ type: 'notify', message: 'x' }, token);
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('form&#39;s security token');
    expect(t.publisher.published).toHaveLength(0);
  });

  it("refuses another session's token", async () => {
    const other = await formSession(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/messages',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: other.token, type: 'notify', message: 'x' }).toString(),
    });
    expect(response.statusCode).toBe(403);
    expect(t.publisher.published).toHaveLength(0);
  });

  it('shows HTML and script from a title as text on the message page', async () => {
    const title = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const created = await post({ type: 'notify', title, message: 'x' });
    const page = await t.app.inject({
      url: String(created.headers.location),
      headers: { cookie: session.cookie },
    });

    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;',
    );
  });

  it('records the message as failed and shows an error page when the bus refuses it', async () => {
    t.publisher.failWith = new Error('SNS is down');
    const response = await post({ type: 'notify', message: 'x' });
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Something went wrong on our side');
    expect(response.body).not.toContain('SNS is down');
    const [record] = t.store.records.values();
    expect(record.status).toBe('failed');
  });
});
