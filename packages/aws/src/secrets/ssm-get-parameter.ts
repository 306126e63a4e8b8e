/**
 * SSM Parameter Store's GetParameter, and nothing else of SSM: one signed
 * JSON request, made with the SDK's own SigV4 signer (@smithy/signature-v4),
 * credential chain and partition table — pieces every Lambda bundle already
 * carries for its other clients. Not @aws-sdk/client-ssm: its client
 * registers the schemas of all of SSM's operations when it loads (about
 * 80 KiB that a bundle cannot shed), and a Lambda reads a few SecureStrings
 * once per cold start.
 *
 * The wire protocol is SSM's AWS JSON 1.1 (`POST /`, `X-Amz-Target:
 * AmazonSSM.GetParameter`). What the SDK would do besides, and this does
 * too: the endpoint from AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL (unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), otherwise the region's
 * `ssm.<region>.<partition suffix>`; credentials from the default chain
 * (in a Lambda bundle the execution role's variables, see
 * lambda-credentials.ts); three attempts with jittered backoff for
 * throttling, 5xx and network errors. What it does not: FIPS or dual-stack
 * endpoints, clock-skew correction.
 *
 * infra/tests/bundle-actions.ts derives the IAM action from the
 * {@link GET_PARAMETER_TARGET} string in a bundle.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { partition } from '@aws-sdk/core/client';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import { configuredEndpoint } from '../sdk/base';

/** The X-Amz-Target of the one operation this sends. */
export const GET_PARAMETER_TARGET = 'AmazonSSM.GetParameter';

/** One parameter as read: its decrypted value and its SSM type (`SecureString`, `String`, …). */
export interface ReadParameter {
  value: string;
  type: string;
}

export interface SsmReaderOptions {
  /** Defaults to AWS_REGION, then AWS_DEFAULT_REGION. */
  region?: string;
  /** Defaults as the SDK's do (see the module comment). */
  endpoint?: string;
  /** Defaults to the SDK's default chain. */
  credentials?: AwsCredentialIdentityProvider;
  /** Per attempt, from request to the end of the answer (default 5 s). */
  timeoutMs?: number;
  /** Attempts in all (default 3). */
  maxAttempts?: number;
  env?: NodeJS.ProcessEnv;
}

/** An error SSM answered (or the request's own, for network errors), named by SSM's error type. */
export class SsmRequestError extends Error {
  constructor(
    name: string,
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = name;
  }
}

/** Error types worth another attempt besides any 5xx or network failure. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);

/** SHA-256 (and its HMAC) for the signer, from node:crypto: the SDK's own Hash does the same. */
class Sha256 implements Checksum {
  readonly #secret: SourceData | undefined;
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = this.#fresh();
  }
  update(data: Uint8Array | string): void {
    this.#hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
  #fresh() {
    return this.#secret ? createHmac('sha256', toBytes(this.#secret)) : createHash('sha256');
  }
}

function toBytes(data: SourceData): Uint8Array | string {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** Where SSM is, as the SDK resolves it (configured endpoint first). */
export function ssmEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): URL {
  return new URL(configuredEndpoint('SSM', env) ?? `https://ssm.${region}.${partition(region).dnsSuffix}`);
}

/**
 * A GetParameter function: resolves to the parameter decrypted, or undefined
 * when it (or the version or label its name selects) does not exist; rejects
 * with an {@link SsmRequestError} otherwise.
 *
 * @example
 * const getParameter = createSsmReader();
 * const parameter = await getParameter('/rez/prod/session-key:3'); // { value, type } | undefined
 */
export function createSsmReader(
  options: SsmReaderOptions = {},
): (name: string) => Promise<ReadParameter | undefined> {
  const env = options.env ?? process.env;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('SSM needs a region: AWS_REGION is not set');
  const endpoint = options.endpoint ? new URL(options.endpoint) : ssmEndpoint(region, env);
  const signer = new SignatureV4({
    service: 'ssm',
    region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxAttempts = options.maxAttempts ?? 3;
  const client = endpoint.protocol === 'http:' ? http : https;
  const agent = new client.Agent({ keepAlive: true, maxSockets: 8 });

  const attempt = async (name: string): Promise<ReadParameter | undefined> => {
    const body = JSON.stringify({ Name: name, WithDecryption: true });
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: endpoint.pathname,
      query: {},
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': GET_PARAMETER_TARGET,
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    });
    const { status, headers, text } = await send(client, agent, endpoint, signed.headers, body, timeoutMs);
    const answer = parseJson(text);
    if (status === 200) {
      const parameter = (answer as { Parameter?: { Value?: unknown; Type?: unknown } }).Parameter;
      if (!parameter) return undefined;
      return {
        value: typeof parameter.Value === 'string' ? parameter.Value : '',
        type: typeof parameter.Type === 'string' ? parameter.Type : 'unknown',
      };
    }
    const type = errorType(headers['x-amzn-errortype'], answer) ?? `HTTP${status}`;
    // A missing parameter and a missing version or label of it are answers, not failures.
    if (type === 'ParameterNotFound' || type === 'ParameterVersionNotFound') return undefined;
    const message =
      (answer as { message?: unknown; Message?: unknown }).message ??
      (answer as { Message?: unknown }).Message ??
      text.slice(0, 200);
    throw new SsmRequestError(
      type,
      String(message),
      status,
      status >= 500 || status === 429 || THROTTLING.has(type),
    );
  };

  return async (name) => {
    for (let tried = 1; ; tried++) {
      try {
        return await attempt(name);
      } catch (error) {
        const retryable = error instanceof SsmRequestError ? error.retryable : true;
        if (!retryable || tried >= maxAttempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** tried * (0.5 + Math.random() / 2)));
      }
    }
  };
}

function send(
  client: typeof http | typeof https,
  agent: http.Agent,
  endpoint: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const request = client.request(
      {
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: endpoint.port || undefined,
        path: endpoint.pathname,
        headers,
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    const timer = setTimeout(
      () =>
        request.destroy(
          new SsmRequestError('TimeoutError', `no answer from SSM in ${timeoutMs} ms`, undefined, true),
        ),
      timeoutMs,
    );
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** `com.amazonaws.ssm#ParameterNotFound:http://…` → `ParameterNotFound`, from the header or the body. */
function errorType(
  header: string | string[] | undefined,
  answer: Record<string, unknown>,
): string | undefined {
  const raw = [header, answer.__type, answer.code].find((value) => typeof value === 'string' && value !== '');
  if (typeof raw !== 'string') return undefined;
  return raw.split(':')[0].split('#').pop();
}
