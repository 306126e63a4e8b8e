import { rejectedInputId } from '@rez/core';
import { sampleMessage } from '@rez/core/testing';
import { build, injectWithLogin, type TestConsole } from '../support/helper';

describe('Every record the console lists can be opened', () => {
  let t: TestConsole;
  beforeEach(async () => {
    t = await build();
  });
  afterEach(async () => {
    await t.app.close();
  });

  it('links messages and rejected input (SQS and local transport ids) to detail pages that answer 200', async () => {
    // Prepare: what the worker records for input that never became a message, under each transport's ids.
    const now = t.clock.now();
    const error = { code: 'VALIDATION_FAILED', reason: 'invalid message: body is not JSON', permanent: true };
    const sqs = rejectedInputId('059f36b4-87a3-44ab-83d2-661975830a7d');
    const local = rejectedInputId('01JQ0000000000000000000000');
    await t.store.reject({ id: sqs, raw: 'hello', stage: 'dev', now, error });
    await t.store.reject({ id: local, raw: '{"id":', stage: 'dev', now, error });
    await t.store.put(sampleMessage({ at: now.toISOString() }), now);

    // Act
    const list = await injectWithLogin(t, { url: '/messages' });
    const links = [...list.body.matchAll(/<td><a href="(\/messages\/[^"?]+)"/g)].map((m) => m[1]);
    const pages = await Promise.all(links.map((url) => injectWithLogin(t, { url })));

    // Assess
    expect(links).toHaveLength(3);
    expect(links).toEqual(expect.arrayContaining([`/messages/${sqs}`, `/messages/${local}`]));
    expect(pages.map((p) => p.statusCode)).toEqual([200, 200, 200]);
    expect(pages.find((_, i) => links[i] === `/messages/${sqs}`)?.body).toContain(
      'invalid message: body is not JSON',
    );
  });

  it('answers 404 for a well-formed id nobody stored and 400 for one no store could hold', async () => {
    expect((await injectWithLogin(t, { url: '/messages/invalid-nothing-here' })).statusCode).toBe(404);
    expect((await injectWithLogin(t, { url: '/messages/invalid-a%2Fb' })).statusCode).toBe(400);
    expect((await injectWithLogin(t, { url: '/messages/launch' })).statusCode).toBe(400);
  });

  it('keeps a transport id with other characters openable: they become _', () => {
    expect(rejectedInputId('a/b c?d')).toBe('invalid-a_b_c_d');
    expect(rejectedInputId('')).toBe('invalid-_');
    expect(rejectedInputId('x'.repeat(300))).toHaveLength('invalid-'.length + 128);
  });
});
