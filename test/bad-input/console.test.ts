import { build, injectWithLogin, type TestConsole } from '../../packages/web/tests/support/helper';
import { CURSOR_CASES } from './corpus';

/** A refusal page: 4xx HTML that names `field`, and no stack trace. */
function expectRefusal(
  response: { statusCode: number; body: string; headers: Record<string, unknown> },
  field: string,
) {
  expect({ status: response.statusCode, body: response.body.slice(0, 300) }).toEqual({
    status: 400,
    body: expect.any(String),
  });
  expect(response.headers['content-type']).toMatch(/text\/html/);
  expect(response.body).toContain(field);
  expect(response.body).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('Bad input: the console beyond its form', () => {
  let t: TestConsole;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });

  describe('list cursors (/messages?cursor=…)', () => {
    it.each(CURSOR_CASES.map((cursor) => [JSON.stringify(cursor).slice(0, 60), cursor] as const))(
      '%s: a 400 page naming the cursor',
      async (_name, cursor) => {
        const response = await injectWithLogin(t, { url: `/messages?cursor=${encodeURIComponent(cursor)}` });
        expectRefusal(response, 'cursor');
      },
    );
  });
});
