/**
 * The Lambdas' secrets from SSM Parameter Store, on moto: SecureStrings read
 * through @rez/aws/secrets-from-env with its default source (the signed
 * GetParameter of createSsmReader, as the Lambdas send it), and the built
 * worker bundle publishing with the ntfy token it read there.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { messagesTableInput, SecretParameterError } from '@rez/aws';
import { secretsFromEnv } from '@rez/aws/secrets-from-env';
import { type NtfyTestServer, sampleMessage, startNtfyServer } from '@rez/core/testing';
import type { SQSBatchResponse } from 'aws-lambda';
import { startLambdaHost } from '../support/lambda-host';

/** moto's endpoint, from test/peers/global-setup.ts. */
function motoEndpoint(): string {
  const endpoint = process.env.REZ_TEST_MOTO_ENDPOINT;
  if (!endpoint)
    throw new Error('REZ_TEST_MOTO_ENDPOINT is not set: run these tests with npm run test:peers');
  return endpoint;
}

const AWS = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

describe('Secrets from SSM Parameter Store (moto)', () => {
  const ssm = new SSMClient({ ...AWS, endpoint: motoEndpoint() });
  const stage = `t${randomUUID().slice(0, 6)}`;
  const name = (leaf: string) => `/rez/${stage}/${leaf}`;
  const put = (leaf: string, value: string, type: 'SecureString' | 'String' = 'SecureString') =>
    ssm.send(new PutParameterCommand({ Name: name(leaf), Value: value, Type: type, Overwrite: true }));
  let endpointBefore: string | undefined;

  beforeAll(() => {
    // The Lambdas find SSM through the SDK's standard variable, as they would any endpoint.
    endpointBefore = process.env.AWS_ENDPOINT_URL_SSM;
    process.env.AWS_ENDPOINT_URL_SSM = motoEndpoint();
  });
  afterAll(() => {
    if (endpointBefore === undefined) delete process.env.AWS_ENDPOINT_URL_SSM;
    else process.env.AWS_ENDPOINT_URL_SSM = endpointBefore;
    ssm.destroy();
  });

  it('reads SecureStrings decrypted, each at the version its variable selects', async () => {
    // Prepare: version 1 and 2 of the session key, one client secret
    await put('session-key', 'key-version-1');
    await put('session-key', 'key-version-2');
    await put('oauth-client-secret', 'GOCSPX-from-moto');

    // Act
    const pinned = await secretsFromEnv(
      {
        REZ_OAUTH_CLIENT_SECRET_PARAMETER: name('oauth-client-secret'),
        REZ_SESSION_KEY_PARAMETER: `${name('session-key')}:1`,
      },
      { required: ['oauthClientSecret', 'sessionKey'] },
    ).load();
    const latest = await secretsFromEnv(
      { REZ_SESSION_KEY_PARAMETER: `${name('session-key')}:2` },
      { required: ['sessionKey'] },
    ).load();

    // Assess
    expect(pinned).toEqual({ oauthClientSecret: 'GOCSPX-from-moto', sessionKey: 'key-version-1' });
    expect(latest).toEqual({ sessionKey: 'key-version-2' });
  });

  it.each([
    ['a parameter that does not exist', 'nowhere', 'does not exist (rez:ntfyToken: run pulumi up)'],
    ['a version that does not exist', 'ntfy-token:7', 'does not exist (rez:ntfyToken: run pulumi up)'],
    ['a plain String parameter', 'plain', 'is a String parameter; a secret must be a SecureString'],
  ])('refuses %s, naming the parameter and the variable', async (_case, leaf, problem) => {
    await put('ntfy-token', 'tk_one');
    await put('plain', 'not-secret', 'String');
    const secrets = secretsFromEnv({ REZ_NTFY_TOKEN_PARAMETER: name(leaf) }, { optional: ['ntfyToken'] });
    const failure = await secrets.load().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SecretParameterError);
    expect((failure as Error).message).toBe(
      `secret from SSM: parameter "${name(leaf)}" (named by REZ_NTFY_TOKEN_PARAMETER) ${problem}`,
    );
  });

  describe('the built worker bundle with a reserved ntfy topic', () => {
    let ntfy: NtfyTestServer;
    const dynamodb = new DynamoDBClient({ ...AWS, endpoint: motoEndpoint() });
    const tableName = `rez-${stage}-messages`;

    beforeAll(async () => {
      ntfy = await startNtfyServer({ auth: { tokens: { tk_reserved: 'read-write' } } });
      await dynamodb.send(new CreateTableCommand(messagesTableInput(tableName)));
      for (let i = 0; i < 100; i++) {
        const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.TableStatus === 'ACTIVE') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    afterAll(async () => {
      await ntfy.close();
      dynamodb.destroy();
    });

    it('publishes with the token it read from SSM, and fails the batch whole when the parameter is gone', async () => {
      // Prepare: the token only SSM holds; ntfy refuses anyone without it
      await put('ntfy-token', 'tk_reserved');
      const env = {
        REZ_STAGE: 'dev',
        REZ_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:rez-unused',
        REZ_MESSAGES_TABLE: tableName,
        REZ_DLQ_URL: `${motoEndpoint()}/123456789012/rez-unused-dlq`,
        NTFY_BASE_URL: ntfy.url,
        NTFY_TOPIC: 'reserved',
        REZ_NTFY_TOKEN_PARAMETER: `${name('ntfy-token')}:${await latestVersion('ntfy-token')}`,
        AWS_ENDPOINT_URL: motoEndpoint(),
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      };
      const message = sampleMessage({ stage: 'dev', at: new Date().toISOString() });
      const event = {
        Records: [
          {
            messageId: randomUUID(),
            receiptHandle: 'rh-1',
            body: JSON.stringify(message),
            attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:rez-unused',
            awsRegion: 'us-east-1',
          },
        ],
      };

      // Act + Assess: delivered with the bearer token
      const worker = await startLambdaHost('worker', env);
      try {
        const response = await worker.invoke<SQSBatchResponse>(event);
        expect(response.batchItemFailures).toEqual([]);
        const [push] = await ntfy.waitFor(1);
        expect(push).toMatchObject({ topic: 'reserved', authorization: 'Bearer tk_reserved' });
      } finally {
        worker.close();
      }

      // A fresh instance whose parameter version is gone: the invocation fails, naming both.
      const broken = await startLambdaHost('worker', {
        ...env,
        REZ_NTFY_TOKEN_PARAMETER: `${name('ntfy-token')}:99`,
      });
      try {
        await expect(broken.invoke(event)).rejects.toThrow(
          `secret from SSM: parameter "${name('ntfy-token')}:99" (named by REZ_NTFY_TOKEN_PARAMETER) does not exist`,
        );
        expect(ntfy.received).toHaveLength(1);
      } finally {
        broken.close();
      }
    });

    async function latestVersion(leaf: string): Promise<number> {
      const { Version } = await ssm.send(
        new PutParameterCommand({
          Name: name(leaf),
          Value: 'tk_reserved',
          Type: 'SecureString',
          Overwrite: true,
        }),
      );
      return Version ?? 1;
    }
  });
});
