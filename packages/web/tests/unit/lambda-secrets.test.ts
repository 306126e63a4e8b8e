import { type ParameterSource, secretsFromEnv } from '@rez/aws/secrets-from-env';
import { ConfigError } from '@rez/core';
import { consoleSecretsFromEnv } from '../../src/lambda-secrets';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const ENV = {
  REZ_OAUTH_CLIENT_SECRET_PARAMETER: '/rez/prod/oauth-client-secret:1',
  REZ_SESSION_KEY_PARAMETER: '/rez/prod/session-key:3',
};

/** Parameter Store holding `values` as SecureStrings. */
const store = (values: Record<string, string>): ParameterSource => ({
  get: async (name) => (name in values ? { value: values[name], type: 'SecureString' } : undefined),
});

const secretsOf = (values: Record<string, string>) =>
  consoleSecretsFromEnv(
    ENV,
    secretsFromEnv(ENV, { required: ['oauthClientSecret', 'sessionKey'] }, store(values)),
  );

describe('Function: consoleSecretsFromEnv', () => {
  it('reads the client secret and the session keys (newest first) from their parameters', async () => {
    const secrets = secretsOf({
      '/rez/prod/oauth-client-secret:1': 'GOCSPX-secret',
      '/rez/prod/session-key:3': `${key(9)}, ${key(8)}`,
    });
    const { clientSecret, sessionKeys } = await secrets.read();
    expect(clientSecret).toBe('GOCSPX-secret');
    expect(sessionKeys.map((k) => [k.length, k[0]])).toEqual([
      [32, 9],
      [32, 8],
    ]);
  });

  it('names the parameter and its variable when a session key in it is not 32 bytes', async () => {
    const secrets = secretsOf({
      '/rez/prod/oauth-client-secret:1': 'GOCSPX-secret',
      '/rez/prod/session-key:3': 'c2hvcnQ=',
    });
    const failure = await secrets.read().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toBe(
      'configuration error: SSM parameter "/rez/prod/session-key:3" (named by REZ_SESSION_KEY_PARAMETER) key 1 must be 32 bytes in base64 (openssl rand -base64 32), got 5 bytes',
    );
  });

  it('names the variable at once when a parameter name is missing', () => {
    expect(() => consoleSecretsFromEnv({ REZ_SESSION_KEY_PARAMETER: '/rez/prod/session-key' })).toThrow(
      'configuration error: REZ_OAUTH_CLIENT_SECRET_PARAMETER is required but not set',
    );
  });
});

describe('Function: consoleSecretsFromEnv — the push action key', () => {
  const env = { ...ENV, REZ_ACTION_KEY_PARAMETER: '/rez/prod/action-key:2' };
  const withActionKey = (values: Record<string, string>) =>
    consoleSecretsFromEnv(
      env,
      secretsFromEnv(
        env,
        { required: ['oauthClientSecret', 'sessionKey'], optional: ['actionKey'] },
        store(values),
      ),
    );
  const sign = { '/rez/prod/oauth-client-secret:1': 'GOCSPX-secret', '/rez/prod/session-key:3': key(9) };

  it('reads it when its parameter is named, and has none when it is not', async () => {
    const { actionKey } = await withActionKey({ ...sign, '/rez/prod/action-key:2': key(4) }).read();
    expect([actionKey?.length, actionKey?.[0]]).toEqual([32, 4]);
    await expect(secretsOf(sign).read()).resolves.toMatchObject({ actionKey: null });
  });

  it('names the parameter and its variable when the key is not 32 bytes', async () => {
    const failure = await withActionKey({ ...sign, '/rez/prod/action-key:2': 'c2hvcnQ=' })
      .read()
      .catch((error: unknown) => error);
    expect((failure as Error).message).toBe(
      'configuration error: SSM parameter "/rez/prod/action-key:2" (named by REZ_ACTION_KEY_PARAMETER) must hold one base64 32-byte key (openssl rand -base64 32), got 5 bytes',
    );
  });
});
