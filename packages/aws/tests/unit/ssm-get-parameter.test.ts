import { createSsmReader, SsmRequestError, ssmEndpoint } from '@rez/aws';
import { SSM_STUB_CREDENTIALS, type SsmStub, startSsmStub } from '../../../../test/support/ssm-stub';

describe('Function: createSsmReader (SSM GetParameter, signed)', () => {
  let ssm: SsmStub;
  beforeAll(async () => {
    ssm = await startSsmStub({ '/rez/dev/session-key:2': 'c2Vzc2lvbg==', '/rez/dev/ntfy-token': 'tk_1' });
  });
  afterAll(() => ssm.close());

  const reader = (overrides: Parameters<typeof createSsmReader>[0] = {}) =>
    createSsmReader({
      region: 'eu-central-1',
      endpoint: ssm.endpoint,
      credentials: async () => ({ ...SSM_STUB_CREDENTIALS, sessionToken: 'session-token' }),
      env: {},
      ...overrides,
    });

  it('reads a SecureString decrypted, at the version its name selects, signed as AWS checks it', async () => {
    await expect(reader()('/rez/dev/session-key:2')).resolves.toEqual({
      value: 'c2Vzc2lvbg==',
      type: 'SecureString',
    });
    expect(ssm.reads.at(-1)).toBe('/rez/dev/session-key:2');
  });

  it('answers undefined for a parameter that does not exist', async () => {
    await expect(reader()('/rez/dev/missing')).resolves.toBeUndefined();
  });

  it('rejects a wrongly signed request with the error SSM names, without retrying it', async () => {
    const read = reader({ credentials: async () => ({ ...SSM_STUB_CREDENTIALS, secretAccessKey: 'wrong' }) });
    const error = await read('/rez/dev/ntfy-token').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsmRequestError);
    expect(error).toMatchObject({ name: 'InvalidSignatureException', status: 400, retryable: false });
    expect((error as Error).message).toMatch(/signature we calculated does not match/);
  });

  it('tries again after throttling and a 5xx, and gives up after the attempts it is allowed', async () => {
    ssm.failNext(1, 400, 'ThrottlingException');
    ssm.failNext(1, 503, 'ServiceUnavailable');
    await expect(reader()('/rez/dev/ntfy-token')).resolves.toEqual({ value: 'tk_1', type: 'SecureString' });

    ssm.failNext(3, 500, 'InternalServerError');
    await expect(reader()('/rez/dev/ntfy-token')).rejects.toMatchObject({
      name: 'InternalServerError',
      status: 500,
    });
  });

  it('fails a request that gets no answer in time with a TimeoutError', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const read = reader({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 100, maxAttempts: 1 });
      await expect(read('/rez/dev/ntfy-token')).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('finds SSM where the SDK would: AWS_ENDPOINT_URL_SSM, then AWS_ENDPOINT_URL, then the regional endpoint', async () => {
    expect(ssmEndpoint('eu-central-1', {}).href).toBe('https://ssm.eu-central-1.amazonaws.com/');
    expect(ssmEndpoint('cn-north-1', {}).href).toBe('https://ssm.cn-north-1.amazonaws.com.cn/');
    expect(ssmEndpoint('us-east-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }).href).toBe(
      'http://127.0.0.1:1/',
    );
    expect(
      ssmEndpoint('us-east-1', {
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
        AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:2',
      }).href,
    ).toBe('http://127.0.0.1:2/');
    expect(
      ssmEndpoint('us-east-1', {
        AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:2',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      }).href,
    ).toBe('https://ssm.us-east-1.amazonaws.com/');
  });

  it('names the missing region', () => {
    expect(() => createSsmReader({ env: {} })).toThrow(/AWS_REGION is not set/);
  });
});
