import { build, formSession, type TestConsole } from '../../packages/web/tests/support/helper';
import { WEB_CASES } from './corpus';

describe('Bad input: the console message form (POST /messages)', () => {
  let t: TestConsole;
  let session: { token: string; cookie: string };
  let client = 0;

  beforeAll(async () => {
    t = await build();
    session = await formSession(t);
  });
  afterAll(async () => {
    await t.app.close();
  });

  it.each(WEB_CASES.map((c) => [c.name, c] as const))(
    '%s: a 4xx page, nothing stored or published',
    async (_name, c) => {
      // Prepare: each case from its own address, so POST rate limiting (30/min per IP) does not answer for the form.
      client++;
      const remoteAddress = `10.0.${client >> 8}.${client & 255}`;
      const fields = c.csrf === false ? (c.fields ?? {}) : { _csrf: session.token, ...c.fields };
      const raw = c.raw ?? {
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams(fields).toString(),
      };

      // Act
      const response = await t.app.inject({
        method: 'POST',
        url: '/messages',
        remoteAddress,
        headers: { cookie: session.cookie, 'content-type': raw.contentType },
        payload: raw.body,
      });

      // Assess
      // The status with the start of the page, so a failure shows what the console said.
      const status = response.statusCode;
      expect({ status, body: response.body.slice(0, 300) }).toEqual({
        status: status >= 400 && status < 500 ? status : '4xx',
        body: expect.any(String),
      });
      expect(response.statusCode).not.toBe(429);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.body).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      expect(t.publisher.published).toEqual([]);
      expect(t.store.records.size).toBe(0);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});
