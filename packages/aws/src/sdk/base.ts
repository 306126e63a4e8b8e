/**
 * What every SDK client factory shares. One module per service beside this
 * one (sdk/sns.ts, sdk/sqs.ts, …): a Lambda chunk that builds one client
 * then reaches that client's package only. Were they in one module, every
 * chunk would reach every client, and esbuild would put all their models
 * (module-level registrations it must keep) in one chunk that the first
 * call of any adapter loads.
 */

/** Options shared by every client factory. */
export interface AwsClientOptions {
  /** Defaults to the SDK's own chain (AWS_REGION, then the shared config). */
  region?: string;
  /**
   * An explicit endpoint (tests, emulators). Leave unset in Lambda: the SDK
   * then honours AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL by itself
   * (@smithy/core's getEndpointUrlConfig, SDK v3 ≥ 3.4xx), and otherwise
   * uses the regional AWS endpoint.
   */
  endpoint?: string;
  /**
   * Sockets per client and origin. Keep-alive is the v3 default; 50 sockets
   * covers a worker sending its whole SQS batch and fan-out concurrently
   * without queueing behind one another.
   */
  maxSockets?: number;
}

export const DEFAULT_MAX_SOCKETS = 50;

/** The client configuration every factory starts from. */
export function baseConfig(options: AwsClientOptions) {
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    requestHandler: {
      // Fail fast on a dead connection: Lambda time is billed while we wait.
      connectionTimeout: 3000,
      httpAgent: { keepAlive: true, maxSockets },
      httpsAgent: { keepAlive: true, maxSockets },
    },
  };
}

/**
 * The endpoint configured for one service the way the SDK reads it for its
 * own clients: AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL (blank
 * values count as unset), and none at all when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. For URLs our code builds
 * itself (a queue URL from an ARN, the signed SSM call), so they point where
 * the SDK's clients do.
 */
export function configuredEndpoint(
  service: 'SQS' | 'SSM',
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`]?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
}
