/**
 * The AWS credentials of a Lambda bundle: the function's execution role,
 * which the Lambda runtime hands over in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. The Lambda build
 * (scripts/bundle-options.mjs) puts this module in place of
 * @aws-sdk/credential-provider-node, whose default chain first looks at
 * those same variables but also carries SSO, shared config files, credential
 * processes, web identity and instance metadata, with nested STS, SSO and
 * sign-in clients: about 120 KiB of every bundle that a Lambda never runs.
 * Nothing else changes: the SDK still calls `defaultProvider` and caches
 * what it returns. The local runtime and the tests keep the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Same signature as credential-provider-node's: the clients call it with their config. */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
