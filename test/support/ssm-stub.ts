import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SsmStub {
  /** http://127.0.0.1:<port>: give it to a bundle as AWS_ENDPOINT_URL_SSM. */
  endpoint: string;
  /** The names GetParameter was asked for, in order. */
  reads: string[];
  /** Answers the next `n` requests with `status` and SSM error `type` (throttling, a 5xx), before anything else. */
  failNext(n: number, status: number, type: string): void;
  close(): Promise<void>;
}

/** The one key pair the stub accepts; requests signed with anything else are refused as AWS refuses them. */
export const SSM_STUB_CREDENTIALS = { accessKeyId: 'AKIDSTUB', secretAccessKey: 'stub-secret-key' } as const;

/**
 * Parameter Store for tests where no SSM peer runs (a built Lambda bundle in
 * `npm test`, the SSM reader's own tests): answers GetParameter (SSM's JSON
 * 1.1 protocol, X-Amz-Target AmazonSSM.GetParameter) for the SecureStrings
 * in `parameters`, keyed by the name asked for (version selector included),
 * and ParameterNotFound for anything else; every other call gets a 400.
 *
 * Unlike moto (test/peers/secrets.peer.ts), it checks the request's
 * Signature Version 4 as AWS does — recomputed here from AWS's documented
 * algorithm, independently of the SDK's signer — for
 * {@link SSM_STUB_CREDENTIALS}: a request that is unsigned, signed with
 * another key, leaves host, x-amz-date, x-amz-target or the session token
 * unsigned, or is more than 5 minutes off the clock gets AWS's 400 and
 * error type.
 */
export async function startSsmStub(parameters: Record<string, string>): Promise<SsmStub> {
  const reads: string[] = [];
  const failures: { status: number; type: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      const refused = signatureProblem(request.method ?? '', request.url ?? '/', request.headers, body);
      if (refused) {
        answer(refused.status, { __type: refused.type, message: refused.message });
        return;
      }
      const failure = failures.shift();
      if (failure) {
        answer(failure.status, { __type: failure.type, message: 'the SSM stub was told to fail' });
        return;
      }
      if (request.headers['x-amz-target'] !== 'AmazonSSM.GetParameter') {
        answer(400, { __type: 'InvalidAction', message: 'the SSM stub answers GetParameter only' });
        return;
      }
      const { Name, WithDecryption } = JSON.parse(body.toString('utf8')) as {
        Name: string;
        WithDecryption?: boolean;
      };
      reads.push(Name);
      const value = parameters[Name];
      if (value === undefined) {
        answer(400, { __type: 'ParameterNotFound', message: `Parameter ${Name} not found.` });
        return;
      }
      const [name, version] = Name.split(':');
      answer(200, {
        Parameter: {
          Name: name,
          Type: 'SecureString',
          Value: WithDecryption ? value : 'AQICAHencrypted==',
          Version: Number(version ?? 1),
          ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${name}`,
          DataType: 'text',
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reads,
    failNext: (n, status, type) => {
      for (let i = 0; i < n; i++) failures.push({ status, type });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** What AWS would answer to the request's signature, or null when it holds. */
function signatureProblem(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): { status: number; type: string; message: string } | null {
  const incomplete = (message: string) => ({ status: 400, type: 'IncompleteSignatureException', message });
  const invalid = (message: string) => ({ status: 400, type: 'InvalidSignatureException', message });
  const match = AUTHORIZATION.exec(String(headers.authorization ?? ''));
  if (!match)
    return { status: 400, type: 'MissingAuthenticationTokenException', message: 'no SigV4 Authorization' };
  const [, keyId, day, region, service, signedList, signature] = match;
  if (keyId !== SSM_STUB_CREDENTIALS.accessKeyId)
    return { status: 400, type: 'UnrecognizedClientException', message: `unknown access key ${keyId}` };
  if (service !== 'ssm') return invalid(`credential scope names service ${service}, not ssm`);
  const amzDate = String(headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day)
    return incomplete('x-amz-date is missing or does not match the credential scope');
  const at = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (Math.abs(Date.now() - at) > 5 * 60_000)
    return invalid('Signature expired: the request time is too skewed');
  const signed = signedList.split(';');
  for (const required of [
    'host',
    'x-amz-date',
    'x-amz-target',
    ...(headers['x-amz-security-token'] ? ['x-amz-security-token'] : []),
  ])
    if (!signed.includes(required)) return incomplete(`${required} is not among the signed headers`);
  if ([...signed].sort().join(';') !== signedList) return invalid('SignedHeaders are not sorted');

  const [path, query = ''] = url.split('?');
  const canonicalRequest = [
    method,
    path,
    query.split('&').filter(Boolean).sort().join('&'),
    ...signed.map(
      (name) =>
        `${name}:${String(headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}`,
    ),
    '',
    signedList,
    createHash('sha256').update(body).digest('hex'),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = [day, region, service, 'aws4_request'].reduce<Buffer | string>(
    (key, part) => hmac(key, part),
    `AWS4${SSM_STUB_CREDENTIALS.secretAccessKey}`,
  );
  const expected = hmac(signingKey, stringToSign);
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'))
    ? null
    : invalid('The request signature we calculated does not match the signature you provided.');
}
