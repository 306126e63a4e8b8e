/**
 * The contract between the Pulumi program and the Lambdas for secrets: each
 * secret is an SSM Parameter Store SecureString at `/rez/<stage>/<name>`,
 * and a function gets the parameter's NAME with its version
 * (`/rez/prod/session-key:4`, SSM's version selector; never the value) in
 * the environment variable listed here. infra writes both; the Lambda side
 * (`@rez/aws/secrets-from-env`) reads the variable at cold start and the
 * parameter once, on first use. A new value is a new version, so the next
 * `pulumi up` changes the function's configuration and every instance starts
 * again with the new secret.
 */

/** The secrets Rez keeps in Parameter Store, by their key in the stack config (`rez:<key>`). */
export const SECRET_PARAMETERS = {
  /** OAuth2/OpenID client secret of the console (web function). */
  oauthClientSecret: {
    env: 'REZ_OAUTH_CLIENT_SECRET_PARAMETER',
    name: 'oauth-client-secret',
    plainEnv: 'OAUTH_CLIENT_SECRET',
  },
  /** Session cookie keys of the console, comma-separated, newest first (web function). */
  sessionKey: { env: 'REZ_SESSION_KEY_PARAMETER', name: 'session-key', plainEnv: 'REZ_SESSION_KEY' },
  /** ntfy access token for a reserved topic (worker function); absent for a public topic. */
  ntfyToken: { env: 'REZ_NTFY_TOKEN_PARAMETER', name: 'ntfy-token', plainEnv: 'NTFY_TOKEN' },
  /** Signs push action links (worker) and checks them (web): one base64 32-byte key; absent when push actions are off. */
  actionKey: { env: 'REZ_ACTION_KEY_PARAMETER', name: 'action-key', plainEnv: 'REZ_ACTION_KEY' },
} as const satisfies Record<
  string,
  {
    /** The variable holding the parameter's name (and version) on AWS. */
    env: string;
    /** The last part of `/rez/<stage>/<name>`. */
    name: string;
    /** Where the local runtime reads the value itself; refused on AWS, where secrets come from SSM only. */
    plainEnv: string;
  }
>;

/** One of the secrets in {@link SECRET_PARAMETERS}. */
export type SecretKey = keyof typeof SECRET_PARAMETERS;

/** `/rez/<stage>/`: the Parameter Store path holding one stage's secrets (and nothing else). */
export function secretParameterPath(stage: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(stage)) {
    throw new Error(`secret parameter path: stage must be lower-case letters, digits or "-", got "${stage}"`);
  }
  return `/rez/${stage}/`;
}

/**
 * The full parameter name of one secret of one stage.
 *
 * @example
 * secretParameterName('prod', 'sessionKey'); // '/rez/prod/session-key'
 */
export function secretParameterName(stage: string, key: SecretKey): string {
  return `${secretParameterPath(stage)}${SECRET_PARAMETERS[key].name}`;
}
