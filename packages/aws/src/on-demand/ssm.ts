/**
 * Loaded on the first secret read (see secrets-from-env.ts): this module, the
 * SSM client and Powertools Parameters stay out of a Lambda's cold start, and
 * out of every Lambda that reads no secret.
 */
import { createSsmClient } from '../sdk/ssm';
import { SecureStringProvider } from '../secrets/secure-string-provider';

/** Parameters as the Lambdas read them: decrypted, cached by Powertools for `maxAgeSeconds`. */
export function openParameterSource(maxAgeSeconds: number): {
  get(name: string): Promise<{ value: string; type: string } | undefined>;
} {
  const provider = new SecureStringProvider({ client: createSsmClient() });
  return { get: (name) => provider.get(name, { maxAge: maxAgeSeconds }) };
}
