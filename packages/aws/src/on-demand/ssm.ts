/**
 * Loaded on the first secret read (see secrets-from-env.ts): this module and
 * the signer's shared chunk stay out of a Lambda's cold start, and out of
 * every Lambda that reads no secret.
 */
import { createSsmReader, type ReadParameter } from '../secrets/ssm-get-parameter';

/** Parameters as the Lambdas read them: decrypted, one GetParameter each (the secrets loader keeps them). */
export function openParameterSource(): { get(name: string): Promise<ReadParameter | undefined> } {
  return { get: createSsmReader() };
}
