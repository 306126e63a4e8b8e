import { sampleMessage } from '@rez/core/testing';
import { build, formSession, type TestConsole } from '../support/helper';

describe('Routes: /messages/:id/replay and the Failed page', () => {
  let t: TestConsole;
  let session: { token: string; cookie: string };
  const original = sampleMessage({
    type: 'notify',
    payload: { message: 'typo <here>', title: 'Deploy', priority: 2, tags: ['ci'] },
    at: '2026-03-01T11:00:00.000Z',
  });

  beforeEach(async () => {
    t = await build();
    session = await formSession(t);
    await t.store.put(original, new Date('2026-03-01T11:00:00.000Z'));
    t.queue.dead.push({
      transportId: 't-1',
      body: JSON.stringify(original),
      receiveCount: 5,
      sentAt: new Date('2026-03-01T11:00:00.000Z'),
    });
  });
  afterEach(async () => {
    await t.app.close();
  });

  const get = (url: string) => t.app.inject({ url, headers: { cookie: session.cookie } });
  const post = (url: string, fields: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: session.token, ...fields }).toString(),
    });

  it('offers a replay on the Failed page and on the message page, with the payload prefilled', async () => {
    expect((await get('/failed')).body).toContain(`href="/messages/${original.id}/replay"`);
    expect((await get(`/messages/${original.id}`)).body).toContain('id="replay"');
    const form = await get(`/messages/${original.id}/replay`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`action="/messages/${original.id}/replay"`);
    expect(form.body).toContain('>typo &lt;here&gt;</textarea>');
    expect(form.body).toMatch(/id="priority"[^>]*value="2"/);
    expect(form.body).toMatch(/id="tags"[^>]*value="ci"/);
  });

  it('refuses a replay without the CSRF token, sending nothing', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/messages/${original.id}/replay`,
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ message: 'fixed' }).toString(),
    });
    expect(response.statusCode).toBe(403);
    expect(t.publisher.published).toEqual([]);
  });

  it('sends the edited payload as a new message caused by the original, by the person; lineage both ways', async () => {
    const response = await post(`/messages/${original.id}/replay`, {
      type: 'hello_world', // ignored: a replay keeps the original's type
      message: 'fixed',
      title: 'Deploy',
    });
    expect(response.statusCode).toBe(303);
    const [replay] = t.publisher.published;
    expect(response.headers.location).toBe(`/messages/${replay.id}`);
    expect(replay).toMatchObject({
      type: 'notify',
      payload: { message: 'fixed', title: 'Deploy' },
      causation_id: original.id,
      correlation_id: original.correlation_id,
      metadata: { created_by: 'web:ana@example.com' },
    });
    expect((await get(`/messages/${original.id}`)).body).toMatch(
      new RegExp(`id="replays">\\s*<li><a href="/messages/${replay.id}"`),
    );
    expect((await get(`/messages/${replay.id}`)).body).toMatch(
      new RegExp(`Sent again from:\\s*<a href="/messages/${original.id}"`),
    );
  });

  it('refuses an edit the type refuses with the field named, sending nothing', async () => {
    const response = await post(`/messages/${original.id}/replay`, { message: '', priority: '9' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="error-priority">must be a whole number from 1 to 5/);
    const empty = await post(`/messages/${original.id}/replay`, { message: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toMatch(/id="error-message">must not be empty/);
    expect(t.publisher.published).toEqual([]);
  });

  it('answers 404 for a message it does not hold', async () => {
    expect((await get('/messages/01JH8Z5Q0A6D2N7S4X3C9B1V0M/replay')).statusCode).toBe(404);
  });
});
