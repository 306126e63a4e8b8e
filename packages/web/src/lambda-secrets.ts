import { type SecretsLoader, secretsFromEnv } from '@rez/aws/secrets-from-env';
import { type Env, readActionKey } from '@rez/core';
import { type AuthSecrets, readSessionKeys } from './deps';

type ConsoleSecretKey = 'oauthClientSecret' | 'sessionKey';

/** The console's secrets: its two for sign-in, and the key that checks push action links (null: none set). */
export type ConsoleSecrets = AuthSecrets & { actionKey: Buffer | null };

/**
 * The console's secrets on AWS, from SSM: REZ_OAUTH_CLIENT_SECRET_PARAMETER
 * and REZ_SESSION_KEY_PARAMETER name the parameters (read now, a ConfigError
 * naming a missing one), REZ_ACTION_KEY_PARAMETER the push action key's
 * (optional: unset when push actions are off); `read()` reads them once (see
 * secretsFromEnv) and decodes the keys, naming the parameter and the
 * variable in any error. `loader` is the seam for tests.
 *
 * @example
 * const secrets = consoleSecretsFromEnv(process.env);
 * const { clientSecret, sessionKeys, actionKey } = await secrets.read();
 */
export function consoleSecretsFromEnv(
  env: Env,
  loader: SecretsLoader<ConsoleSecretKey, 'actionKey'> = secretsFromEnv(env, {
    required: ['oauthClientSecret', 'sessionKey'],
    optional: ['actionKey'],
  }),
): { read(): Promise<ConsoleSecrets> } {
  return {
    async read() {
      const { oauthClientSecret, sessionKey, actionKey } = await loader.load();
      const source = loader.describe('sessionKey');
      return {
        clientSecret: oauthClientSecret,
        sessionKeys: readSessionKeys({ [source]: sessionKey }, source),
        actionKey: actionKey === undefined ? null : readActionKey(actionKey, loader.describe('actionKey')),
      };
    },
  };
}
