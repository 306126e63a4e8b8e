import { ConfigError } from '@rez/core';
import { readConsoleConfig } from '../../src/deps';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const base = {
  OAUTH_ISSUER: 'https://login.example.com/',
  OAUTH_CLIENT_ID: 'rez',
  OAUTH_CLIENT_SECRET: 's3cret',
  REZ_ALLOWED_USERS: 'Ana@Example.com, octocat ,',
  REZ_SESSION_KEY: `${key(1)},${key(2)}`,
  REZ_PUBLIC_URL: 'https://console.example.com',
};

describe('Function: readConsoleConfig', () => {
  it('reads an OIDC setup with two session keys and a lower-cased allowlist', () => {
    const config = readConsoleConfig({ ...base, PORT: '8080' });
    expect(config.port).toBe(8080);
    expect(config.auth.provider).toEqual({ kind: 'oidc', issuer: 'https://login.example.com' });
    expect(config.auth.allowedUsers).toEqual(['ana@example.com', 'octocat']);
    expect(config.auth.sessionKeys.map((k) => k[0])).toEqual([1, 2]);
  });

  it('selects the GitHub preset without an issuer', () => {
    const { OAUTH_ISSUER: _, ...env } = base;
    expect(readConsoleConfig({ ...env, OAUTH_PROVIDER: 'github' }).auth.provider).toEqual({ kind: 'github' });
  });

  it.each([
    ['OAUTH_ISSUER', { OAUTH_ISSUER: '' }, 'OAUTH_ISSUER is required'],
    ['OAUTH_CLIENT_ID', { OAUTH_CLIENT_ID: ' ' }, 'OAUTH_CLIENT_ID is required'],
    ['REZ_ALLOWED_USERS', { REZ_ALLOWED_USERS: ' , ' }, 'REZ_ALLOWED_USERS must list at least one'],
    ['REZ_SESSION_KEY', { REZ_SESSION_KEY: `${key(1)},c2hvcnQ=` }, 'REZ_SESSION_KEY key 2 must be 32 bytes'],
    ['REZ_PUBLIC_URL', { REZ_PUBLIC_URL: 'console.example.com' }, 'REZ_PUBLIC_URL must be an http(s) URL'],
    ['OAUTH_PROVIDER', { OAUTH_PROVIDER: 'gitlab' }, 'OAUTH_PROVIDER must be "github" or unset'],
    ['PORT', { PORT: '-1' }, 'PORT must be a positive whole number'],
  ])('names %s when it is wrong', (variable, change, message) => {
    const read = () => readConsoleConfig({ ...base, ...change });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
    try {
      read();
    } catch (error) {
      expect((error as ConfigError).variable).toBe(variable);
    }
  });
});
