import { type SecretsLoader, secretsFromEnv } from '@rez/aws/secrets-from-env';
import type { Env } from '@rez/core';
import { type AuthSecrets, readSessionKeys } from './deps';

type ConsoleSecretKey = 'oauthClientSecret' | 'sessionKey';

/**
 * The console's secrets on AWS, from SSM: REZ_OAUTH_CLIENT_SECRET_PARAMETER
 * and REZ_SESSION_KEY_PARAMETER name the parameters (read now, a ConfigError
 * naming a missing one); `read()` reads both parameters once (see
 * secretsFromEnv) and decodes the session keys, naming the parameter and the
 * variable in any error. `loader` is the seam for tests.
 *
 * @example
 * const secrets = consoleSecretsFromEnv(process.env);
 * const { clientSecret, sessionKeys } = await secrets.read();
 */
export function consoleSecretsFromEnv(
  env: Env,
  loader: SecretsLoader<ConsoleSecretKey, never> = secretsFromEnv(env, {
    required: ['oauthClientSecret', 'sessionKey'],
  }),
): { read(): Promise<AuthSecrets> } {
  return {
    async read() {
      const { oauthClientSecret, sessionKey } = await loader.load();
      const source = loader.describe('sessionKey');
      return {
        clientSecret: oauthClientSecret,
        sessionKeys: readSessionKeys({ [source]: sessionKey }, source),
      };
    },
  };
}
