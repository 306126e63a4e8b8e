import { LoginError } from '../../src';
import { authorizationUrl, codeChallenge, exchangeCode, pkcePair } from '../../src/auth/oauth2';
import { build, type TestConsole } from '../support/helper';

const EXCHANGE = {
  clientId: 'rez console',
  clientSecret: 's3cr:t+',
  code: 'the-code',
  redirectUri: 'https://rez.example/auth/callback',
  codeVerifier: 'v'.repeat(43),
};

/** A fetch that records its one request and answers `status` with `body`. */
function answering(status: number, body: string) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetcher = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fetcher, calls };
}

describe('Function: codeChallenge / pkcePair', () => {
  it('computes S256 as RFC 7636 Appendix B does', () => {
    expect(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes a 43-character verifier and its challenge, fresh each time', () => {
    const a = pkcePair();
    const b = pkcePair();
    expect(a.verifier).toMatch(/^[\w-]{43}$/);
    expect(a.challenge).toBe(codeChallenge(a.verifier));
    expect(b.verifier).not.toBe(a.verifier);
  });
});

describe('Function: authorizationUrl', () => {
  it('adds the code request to the endpoint, keeping the query it has', () => {
    const url = authorizationUrl('https://issuer.example/authorize?tenant=x', {
      clientId: 'rez',
      redirectUri: 'https://rez.example/auth/callback',
      scope: ['openid', 'email'],
      state: 'st',
      codeChallenge: 'ch',
      nonce: 'no',
    });
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 'x',
      response_type: 'code',
      client_id: 'rez',
      redirect_uri: 'https://rez.example/auth/callback',
      scope: 'openid email',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
      nonce: 'no',
    });
  });
});

describe('Function: exchangeCode', () => {
  it('posts the code, redirect URI and verifier with client_secret_basic, and returns the tokens', async () => {
    const { fetcher, calls } = answering(200, '{"access_token":"at","token_type":"Bearer","id_token":"it"}');

    const tokens = await exchangeCode('https://issuer.example/token', EXCHANGE, fetcher);

    expect(tokens).toEqual({ access_token: 'at', token_type: 'Bearer', id_token: 'it' });
    const [{ url, init }] = calls;
    expect(url).toBe('https://issuer.example/token');
    expect(init.method).toBe('POST');
    const headers = init.headers as Record<string, string>;
    // RFC 6749 §2.3.1: id and secret form-encoded before base64 (space → +, ":" and "+" escaped).
    expect(Buffer.from(headers.authorization.replace(/^Basic /, ''), 'base64').toString()).toBe(
      'rez+console:s3cr%3At%2B',
    );
    expect(headers.accept).toBe('application/json');
    expect(Object.fromEntries(init.body as URLSearchParams)).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'https://rez.example/auth/callback',
      code_verifier: 'v'.repeat(43),
    });
  });

  it.each([
    [400, '{"error":"invalid_grant","error_description":"code expired"}', 'invalid_grant'],
    [400, '{"error":"invalid_request","error_description":"code_verifier required"}', 'invalid_request'],
    [200, '{"error":"bad_verification_code"}', 'bad_verification_code'],
  ])(
    'answers a code the provider will not redeem (HTTP %i %s: replayed, expired, wrong verifier) with a 400, not a 502',
    async (status, body, code) => {
      const { fetcher } = answering(status, body);
      const error = await exchangeCode('https://issuer.example/token', EXCHANGE, fetcher).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LoginError);
      expect(error).toMatchObject({ statusCode: 400, message: expect.stringContaining(`(${code}:`) });
      expect((error as LoginError).message).toContain('start again');
    },
  );

  it.each([
    [401, '{"error":"invalid_client","error_description":"bad secret"}', 'invalid_client (bad secret)'],
    [502, '<html>bad gateway</html>', 'HTTP 502, not JSON: "<html>bad gateway</html>"'],
    [500, '{}', 'HTTP 500'],
    [200, '{"token_type":"Bearer"}', 'no access_token in the answer'],
    [200, '{"access_token":"at","token_type":"mac"}', 'token_type is "mac", not Bearer'],
  ])('refuses an HTTP %i answer %s, saying why', async (status, body, reason) => {
    const { fetcher } = answering(status, body);
    const error = await exchangeCode('https://issuer.example/token', EXCHANGE, fetcher).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LoginError);
    expect(error).toMatchObject({
      statusCode: 502,
      message: `the code exchange with the identity provider failed: ${reason}`,
    });
  });

  it('names the token endpoint it could not reach', async () => {
    const fetcher = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    await expect(exchangeCode('https://issuer.example/token', EXCHANGE, fetcher)).rejects.toThrow(
      'cannot reach https://issuer.example (fetch failed)',
    );
  });
});

describe('Route: GET /auth/callback', () => {
  let t: TestConsole;
  afterEach(async () => {
    await t?.app.close();
  });

  /** Starts a login; returns its state and the session cookie that holds it. */
  async function startLogin() {
    const start = await t.app.inject({ url: '/auth/login' });
    const state = new URL(String(start.headers.location)).searchParams.get('state');
    const cookie = start.cookies.find((c) => c.name === 'rez_session')?.value;
    return { state, cookie: `rez_session=${cookie}` };
  }

  it('refuses a callback naming another issuer (RFC 9207), before any code exchange', async () => {
    const calls: string[] = [];
    t = await build();
    t.deps.auth.fetch = (async (url: string) => {
      calls.push(url);
      return new Response('{}');
    }) as unknown as typeof fetch;
    const { state, cookie } = await startLogin();

    const response = await t.app.inject({
      url: `/auth/callback?code=c&state=${state}&iss=${encodeURIComponent('https://evil.example')}`,
      headers: { cookie },
    });

    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('names another issuer than the one this login went to');
    expect(response.body).not.toContain('evil.example');
    expect(calls).toEqual([]);
  });

  it('refuses a callback more than ten minutes after its login started', async () => {
    t = await build();
    const { state, cookie } = await startLogin();
    t.clock.advance(10 * 60_000);

    const response = await t.app.inject({ url: `/auth/callback?code=c&state=${state}`, headers: { cookie } });

    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('state mismatch or expired');
  });
});
