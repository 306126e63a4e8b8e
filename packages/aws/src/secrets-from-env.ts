/**
 * A Lambda's secrets from SSM Parameter Store, imported as
 * `@rez/aws/secrets-from-env`. The variables naming the parameters are read
 * at cold start (a missing or malformed one throws a ConfigError naming it);
 * the parameters themselves on the first `load()`, one signed GetParameter
 * each (secrets/ssm-get-parameter.ts), loaded with `import()` so it stays
 * out of the cold start — and out of a function with nothing to read.
 */
import { ConfigError, type Env, optionalEnv, requireEnv } from '@rez/core';
import { SecretParameterError } from './errors';
import { openedOnFirstCall } from './on-first-call';
import { SECRET_PARAMETERS, type SecretKey } from './secrets-env';

/** One parameter as read from SSM, or undefined when it (or the selected version) does not exist. */
export interface ParameterSource {
  get(name: string): Promise<{ value: string; type: string } | undefined>;
}

/** The values `load()` resolves to: every required key, and the optional keys whose variable is set. */
export type SecretValues<R extends SecretKey, O extends SecretKey> = { [K in R]: string } & {
  [K in O]?: string;
};

/** A function's secrets, read once (again only after a failed read). */
export interface SecretsLoader<R extends SecretKey, O extends SecretKey> {
  load(): Promise<SecretValues<R, O>>;
  /**
   * Where `key` comes from, for error messages about its value:
   * `SSM parameter "/rez/prod/session-key:3" (named by REZ_SESSION_KEY_PARAMETER)`.
   */
  describe(key: R | O): string;
}

/** SSM parameter names: `/`-separated letters, digits and `_.-`, optionally `:<version>` or `:<label>`. */
const PARAMETER_REFERENCE = /^\/[A-Za-z0-9_.\-/]{1,1010}(:[A-Za-z0-9_.-]{1,100})?$/;

/**
 * Reads the variables naming the parameters of `needs` (see SECRET_PARAMETERS)
 * now, and returns a loader that reads the parameters on its first call —
 * all at once, decrypted — and keeps them. A secret's plain variable
 * (OAUTH_CLIENT_SECRET, REZ_SESSION_KEY, NTFY_TOKEN: how the local runtime
 * takes it) is refused here: on AWS a secret lives in SSM, never in a
 * function's configuration.
 *
 * Errors name the variable and the parameter: a ConfigError for a missing
 * or malformed variable (now), a SecretParameterError for a parameter that
 * does not exist, is not a SecureString, is empty or cannot be read (from
 * `load()`).
 *
 * @example
 * // module scope (cold start): the variables
 * const secrets = secretsFromEnv(process.env, { required: ['sessionKey'], optional: ['ntfyToken'] });
 * // first use: the parameters
 * const { sessionKey, ntfyToken } = await secrets.load();
 */
export function secretsFromEnv<R extends SecretKey = never, O extends SecretKey = never>(
  env: Env,
  needs: { required?: readonly R[]; optional?: readonly O[] },
  source: ParameterSource = ssmParameterSource(),
): SecretsLoader<R, O> {
  const references = new Map<SecretKey, string>();
  for (const key of [...(needs.required ?? []), ...(needs.optional ?? [])]) {
    const { env: variable, plainEnv } = SECRET_PARAMETERS[key];
    if (optionalEnv(env, plainEnv) !== undefined) {
      throw new ConfigError(
        plainEnv,
        `must not be set on AWS: a secret is not kept in a function's configuration; ` +
          `store it in SSM (rez:${key}) and name the parameter in ${variable}`,
      );
    }
    const reference = (needs.required as readonly SecretKey[] | undefined)?.includes(key)
      ? requireEnv(env, variable)
      : optionalEnv(env, variable);
    if (reference === undefined) continue;
    if (!PARAMETER_REFERENCE.test(reference)) {
      throw new ConfigError(
        variable,
        `must name an SSM parameter such as /rez/<stage>/${SECRET_PARAMETERS[key].name} (optionally :<version>), got "${reference}"`,
      );
    }
    references.set(key, reference);
  }

  let loading: Promise<SecretValues<R, O>> | undefined;
  const read = async (): Promise<SecretValues<R, O>> => {
    const entries = await Promise.all(
      [...references].map(async ([key, reference]) => [key, await readOne(source, key, reference)] as const),
    );
    return Object.fromEntries(entries) as SecretValues<R, O>;
  };
  return {
    load() {
      loading ??= read().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      return loading;
    },
    describe(key) {
      const variable = SECRET_PARAMETERS[key].env;
      const reference = references.get(key);
      return reference ? `SSM parameter "${reference}" (named by ${variable})` : variable;
    },
  };
}

async function readOne(source: ParameterSource, key: SecretKey, reference: string): Promise<string> {
  const variable = SECRET_PARAMETERS[key].env;
  let parameter: Awaited<ReturnType<ParameterSource['get']>>;
  try {
    parameter = await source.get(reference);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    throw new SecretParameterError(variable, reference, `could not be read: ${reason}`, {
      permanent: false,
      cause: error,
    });
  }
  if (parameter === undefined) {
    throw new SecretParameterError(variable, reference, `does not exist (rez:${key}: run pulumi up)`, {
      permanent: true,
    });
  }
  if (parameter.type !== 'SecureString') {
    throw new SecretParameterError(
      variable,
      reference,
      `is a ${parameter.type} parameter; a secret must be a SecureString`,
      { permanent: true },
    );
  }
  if (parameter.value.trim() === '') {
    throw new SecretParameterError(variable, reference, 'is empty', { permanent: true });
  }
  return parameter.value;
}

/** Parameter Store, its reader loaded on the first read. */
function ssmParameterSource(): ParameterSource {
  return openedOnFirstCall(async () => (await import('./on-demand/ssm')).openParameterSource(), {
    get: true,
  });
}
