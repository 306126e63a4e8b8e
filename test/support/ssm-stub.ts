import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SsmStub {
  /** http://127.0.0.1:<port>: give it to a bundle as AWS_ENDPOINT_URL_SSM. */
  endpoint: string;
  /** The names GetParameter was asked for, in order. */
  reads: string[];
  close(): Promise<void>;
}

/**
 * Parameter Store for a built Lambda bundle in `npm test`, where no SSM peer
 * runs: answers GetParameter (SSM's JSON 1.1 protocol, X-Amz-Target
 * AmazonSSM.GetParameter) for the SecureStrings in `parameters`, keyed by
 * the name the bundle asks for (version selector included), and
 * ParameterNotFound for anything else; every other call gets a 400. That the
 * same code reads real SecureStrings is checked against moto in
 * test/peers/secrets.peer.ts (`npm run test:peers`).
 */
export async function startSsmStub(parameters: Record<string, string>): Promise<SsmStub> {
  const reads: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      if (request.headers['x-amz-target'] !== 'AmazonSSM.GetParameter') {
        answer(400, { __type: 'InvalidAction', message: 'the SSM stub answers GetParameter only' });
        return;
      }
      const { Name, WithDecryption } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
