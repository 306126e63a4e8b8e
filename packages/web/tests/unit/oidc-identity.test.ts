import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { oidcProvider } from '../../src/auth/oidc';
import type { AuthConfig } from '../../src/deps';

describe('OIDC identity: only an e-mail the issuer says is verified counts', () => {
  let server: Server;
  let issuer: string;
  let sign: (claims: JWTPayload) => Promise<string>;
  let userinfo: Record<string, unknown> = {};

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(request.url === '/jwks' ? { keys: [jwk] } : userinfo));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sign = (claims) =>
      new SignJWT({ nonce: 'n', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience('rez-console')
        .setSubject('sub-1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const provider = (withUserinfo: boolean) =>
    oidcProvider(
      {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        ...(withUserinfo ? { userinfo_endpoint: `${issuer}/userinfo` } : {}),
      },
      { clientId: 'rez-console' } as AuthConfig,
    );

  it.each([
    ['email_verified true', { email: 'Ana@Example.com', email_verified: true }, ['Ana@Example.com']],
    ['email_verified false', { email: 'ana@example.com', email_verified: false }, []],
    ['no email_verified', { email: 'ana@example.com' }, []],
    ['email_verified "true" (a string)', { email: 'ana@example.com', email_verified: 'true' }, []],
  ])('id_token with %s: only a verified address counts', async (_name, claims, emails) => {
    const identity = await provider(false).identify(
      { access_token: 'at', id_token: await sign(claims) },
      { nonce: 'n' },
    );
    expect(identity.emails).toEqual(emails);
  });

  it('asks userinfo when the id_token has no verified e-mail, and takes its verified one', async () => {
    userinfo = { sub: 'sub-1', email: 'ana@example.com', email_verified: true };
    const identity = await provider(true).identify(
      { access_token: 'at', id_token: await sign({ email: 'ana@example.com' }) },
      { nonce: 'n' },
    );
    expect(identity.emails).toEqual(['ana@example.com']);
    userinfo = { sub: 'sub-1', email: 'ana@example.com' };
    const unverified = await provider(true).identify(
      { access_token: 'at', id_token: await sign({}) },
      { nonce: 'n' },
    );
    expect(unverified.emails).toEqual([]);
  });
});
