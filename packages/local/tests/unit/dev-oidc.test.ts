import { startDevOidcProvider } from '../../src/dev-oidc';

describe('Function: startDevOidcProvider', () => {
  it('refuses to start for stage prod, saying why', async () => {
    await expect(
      startDevOidcProvider({ stage: 'prod', redirectUris: ['http://localhost:3000/auth/callback'] }),
    ).rejects.toThrow('the development OpenID provider refuses to start for stage prod');
  });

  it('refuses to bind anywhere but loopback', async () => {
    await expect(
      startDevOidcProvider({
        stage: 'dev',
        host: '0.0.0.0',
        redirectUris: ['http://localhost:3000/auth/callback'],
      }),
    ).rejects.toThrow('binds to loopback only');
  });

  // The running provider itself is exercised end to end by packages/web/tests/integration/login.test.ts,
  // started from test/setup/oidc.mjs (Jest cannot import the ESM-only oidc-provider in a test file).
  it('is running for the test run with a discovery document naming itself', async () => {
    const issuer = process.env.REZ_TEST_OIDC_ISSUER as string;
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    const metadata = (await response.json()) as {
      issuer: string;
      code_challenge_methods_supported: string[];
    };
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });
});
