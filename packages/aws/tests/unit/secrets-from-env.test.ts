import { ConfigError } from '@rez/core';
import { SecretParameterError } from '../../src/errors';
import { type ParameterSource, secretsFromEnv } from '../../src/secrets-from-env';

/** Parameter Store as a map of name → parameter; counts reads; may fail once per name. */
function fakeSource(parameters: Record<string, { value: string; type?: string }>) {
  const reads: string[] = [];
  const failing = new Map<string, Error>();
  const source: ParameterSource = {
    async get(name) {
      reads.push(name);
      const failure = failing.get(name);
      if (failure) {
        failing.delete(name);
        throw failure;
      }
      const found = parameters[name];
      return found ? { value: found.value, type: found.type ?? 'SecureString' } : undefined;
    },
  };
  return { source, reads, failNext: (name: string, error: Error) => failing.set(name, error) };
}

const WEB_ENV = {
  REZ_OAUTH_CLIENT_SECRET_PARAMETER: '/rez/dev/oauth-client-secret:2',
  REZ_SESSION_KEY_PARAMETER: '/rez/dev/session-key:5',
};

describe('Function: secretsFromEnv', () => {
  it('reads the named parameters on the first load only, and keeps them for later loads', async () => {
    // Prepare
    const ssm = fakeSource({
      '/rez/dev/oauth-client-secret:2': { value: 'client-secret' },
      '/rez/dev/session-key:5': { value: 'session-key' },
    });
    const secrets = secretsFromEnv(WEB_ENV, { required: ['oauthClientSecret', 'sessionKey'] }, ssm.source);
    expect(ssm.reads).toEqual([]);

    // Act
    const [first, second] = await Promise.all([secrets.load(), secrets.load()]);
    const third = await secrets.load();

    // Assess
    expect(first).toEqual({ oauthClientSecret: 'client-secret', sessionKey: 'session-key' });
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(ssm.reads.sort()).toEqual(['/rez/dev/oauth-client-secret:2', '/rez/dev/session-key:5']);
  });

  it('leaves out an optional secret whose variable is unset, and reads nothing at all then', async () => {
    const ssm = fakeSource({});
    const secrets = secretsFromEnv({}, { optional: ['ntfyToken'] }, ssm.source);
    await expect(secrets.load()).resolves.toEqual({});
    expect(ssm.reads).toEqual([]);
  });

  it.each([
    [
      'a required variable that is unset',
      { REZ_SESSION_KEY_PARAMETER: '/rez/dev/session-key' },
      'configuration error: REZ_OAUTH_CLIENT_SECRET_PARAMETER is required but not set',
    ],
    [
      'a variable that names no parameter',
      { ...WEB_ENV, REZ_SESSION_KEY_PARAMETER: 'c2VjcmV0LXZhbHVl' },
      'configuration error: REZ_SESSION_KEY_PARAMETER must name an SSM parameter such as /rez/<stage>/session-key (optionally :<version>), got "c2VjcmV0LXZhbHVl"',
    ],
    [
      'the secret itself in a plain variable',
      { ...WEB_ENV, OAUTH_CLIENT_SECRET: 'oops' },
      "configuration error: OAUTH_CLIENT_SECRET must not be set on AWS: a secret is not kept in a function's configuration; store it in SSM (rez:oauthClientSecret) and name the parameter in REZ_OAUTH_CLIENT_SECRET_PARAMETER",
    ],
  ])('refuses %s at once, naming the variable', (_case, env, message) => {
    const read = () =>
      secretsFromEnv(env, { required: ['oauthClientSecret', 'sessionKey'] }, fakeSource({}).source);
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });

  it('refuses NTFY_TOKEN beside an optional token parameter', () => {
    expect(() =>
      secretsFromEnv({ NTFY_TOKEN: 'tk_x' }, { optional: ['ntfyToken'] }, fakeSource({}).source),
    ).toThrow('configuration error: NTFY_TOKEN must not be set on AWS');
  });

  it.each([
    [
      'does not exist',
      {},
      'secret from SSM: parameter "/rez/dev/ntfy-token:1" (named by REZ_NTFY_TOKEN_PARAMETER) does not exist (rez:ntfyToken: run pulumi up)',
      true,
    ],
    [
      'is a plain String',
      { '/rez/dev/ntfy-token:1': { value: 'tk_x', type: 'String' } },
      'secret from SSM: parameter "/rez/dev/ntfy-token:1" (named by REZ_NTFY_TOKEN_PARAMETER) is a String parameter; a secret must be a SecureString',
      true,
    ],
    [
      'is blank',
      { '/rez/dev/ntfy-token:1': { value: '  ' } },
      'secret from SSM: parameter "/rez/dev/ntfy-token:1" (named by REZ_NTFY_TOKEN_PARAMETER) is empty',
      true,
    ],
  ])(
    'fails the load when the parameter %s, naming the parameter and the variable',
    async (_case, parameters, message, permanent) => {
      const ssm = fakeSource(parameters);
      const secrets = secretsFromEnv(
        { REZ_NTFY_TOKEN_PARAMETER: '/rez/dev/ntfy-token:1' },
        { optional: ['ntfyToken'] },
        ssm.source,
      );
      const failure = await secrets.load().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SecretParameterError);
      expect((failure as SecretParameterError).message).toBe(message);
      expect((failure as SecretParameterError).permanent).toBe(permanent);
      expect((failure as SecretParameterError).context).toEqual({
        variable: 'REZ_NTFY_TOKEN_PARAMETER',
        parameter: '/rez/dev/ntfy-token:1',
      });
    },
  );

  it('reports a failed read with its cause, and reads again on the next load', async () => {
    // Prepare: the first read is denied, as Powertools reports it (GetParameterError with the SDK error as cause)
    const ssm = fakeSource({ '/rez/dev/ntfy-token:1': { value: 'tk_live' } });
    const denied = Object.assign(new Error('not authorized to perform: ssm:GetParameter'), {
      name: 'AccessDeniedException',
    });
    ssm.failNext('/rez/dev/ntfy-token:1', Object.assign(new Error(denied.message), { cause: denied }));
    const secrets = secretsFromEnv(
      { REZ_NTFY_TOKEN_PARAMETER: '/rez/dev/ntfy-token:1' },
      { optional: ['ntfyToken'] },
      ssm.source,
    );

    // Act + Assess
    await expect(secrets.load()).rejects.toThrow(
      'secret from SSM: parameter "/rez/dev/ntfy-token:1" (named by REZ_NTFY_TOKEN_PARAMETER) could not be read: AccessDeniedException: not authorized to perform: ssm:GetParameter',
    );
    await expect(secrets.load()).resolves.toEqual({ ntfyToken: 'tk_live' });
    expect(ssm.reads).toHaveLength(2);
  });

  it('describes where each secret comes from, for errors about its value', () => {
    const secrets = secretsFromEnv(
      WEB_ENV,
      { required: ['oauthClientSecret', 'sessionKey'] },
      fakeSource({}).source,
    );
    expect(secrets.describe('sessionKey')).toBe(
      'SSM parameter "/rez/dev/session-key:5" (named by REZ_SESSION_KEY_PARAMETER)',
    );
  });
});
