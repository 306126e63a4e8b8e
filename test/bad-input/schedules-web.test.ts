import { build, formSession, type TestConsole } from '../../packages/web/tests/support/helper';
import { SCHEDULE_WEB_CASES } from './corpus';

describe('Bad input: the console schedule form (POST /schedules)', () => {
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

  it.each(SCHEDULE_WEB_CASES.map((c) => [c.name, c] as const))(
    '%s: a 4xx page, nothing saved, nothing sent to EventBridge',
    async (_name, c) => {
      // Prepare: each case from its own address, so POST rate limiting does not answer for the form.
      client++;
      const remoteAddress = `10.1.${client >> 8}.${client & 255}`;
      const fields = c.csrf === false ? (c.fields ?? {}) : { _csrf: session.token, ...c.fields };

      // Act
      const response = await t.app.inject({
        method: 'POST',
        url: '/schedules',
        remoteAddress,
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      });

      // Assess
      const status = response.statusCode;
      expect({ status, body: response.body.slice(0, 300) }).toEqual({
        status: status >= 400 && status < 500 ? status : '4xx',
        body: expect.any(String),
      });
      expect(status).not.toBe(429);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.body).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(response.body).not.toMatch(/<script>alert|<img src=x/);
      expect(await t.schedules.count()).toBe(0);
      expect(t.scheduler.calls).toEqual([]);
      expect(t.publisher.published).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});
