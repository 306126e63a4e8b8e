/**
 * The built console bundle (packages/web/dist: the ES module bundle, its
 * chunks and its views, nothing native) answering ALB events in its own
 * process, with the real dev OpenID provider as its issuer and its two
 * secrets read from Parameter Store (a GetParameter stub here; moto in
 * test/peers/secrets.peer.ts).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ALBEvent, ALBResult } from 'aws-lambda';
import { awsEvent } from '../fixtures';
import { type LambdaHost, startLambdaHost } from '../support/lambda-host';
import { SSM_STUB_CREDENTIALS, type SsmStub, startSsmStub } from '../support/ssm-stub';

const env = (name: string) => {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run through jest so test/global-setup.mjs starts the OpenID provider`,
    );
  return value;
};

describe('End to end: the web bundle behind an ALB', () => {
  let web: LambdaHost;
  let ssm: SsmStub;

  beforeAll(async () => {
    ssm = await startSsmStub({
      '/rez/dev/oauth-client-secret:1': env('REZ_TEST_OIDC_CLIENT_SECRET'),
      '/rez/dev/session-key:2': Buffer.alloc(32, 3).toString('base64'),
    });
    web = await startLambdaHost('web', {
      REZ_STAGE: 'dev',
      REZ_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:rez-dev',
      REZ_MESSAGES_TABLE: 'rez-dev-messages',
      REZ_QUEUE_URL: 'http://127.0.0.1:9/000000000000/rez-dev',
      REZ_DLQ_URL: 'http://127.0.0.1:9/000000000000/rez-dev-dlq',
      // The worker's ntfy settings, as infra gives the console too: the dashboard shows that budget.
      NTFY_BASE_URL: 'https://ntfy.sh',
      NTFY_TOPIC: 'rez-dev',
      OAUTH_ISSUER: env('REZ_TEST_OIDC_ISSUER'),
      OAUTH_CLIENT_ID: env('REZ_TEST_OIDC_CLIENT_ID'),
      REZ_OAUTH_CLIENT_SECRET_PARAMETER: '/rez/dev/oauth-client-secret:1',
      REZ_ALLOWED_USERS: 'ops@example.com',
      REZ_SESSION_KEY_PARAMETER: '/rez/dev/session-key:2',
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      REZ_PUBLIC_URL: 'https://lambda-test-alb-1234567.us-east-1.elb.amazonaws.com',
      AWS_REGION: 'us-east-1',
      // The stub checks each GetParameter's signature as AWS does, against this key.
      AWS_ACCESS_KEY_ID: SSM_STUB_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SSM_STUB_CREDENTIALS.secretAccessKey,
    });
  });
  afterAll(async () => {
    web?.close();
    await ssm.close();
  });

  it('answers /healthz for the single-value ALB sample', async () => {
    const event = {
      ...awsEvent<ALBEvent>('alb-lambda-target-request-headers-only'),
      path: '/healthz',
      httpMethod: 'GET',
    };
    const result = await web.invoke<ALBResult>(event);
    expect(result.statusCode).toBe(200);
  });

  it('redirects an anonymous visitor of the multi-value sample to login, and starts login with one sealed cookie', async () => {
    const sample = awsEvent<ALBEvent>('alb-lambda-target-request-multivalue-headers');
    const home = await web.invoke<ALBResult>({ ...sample, path: '/' });
    expect(home.statusCode).toBe(302);
    expect(home.multiValueHeaders?.location?.[0]).toMatch(/^\/auth\/login/);

    const login = await web.invoke<ALBResult>({
      ...sample,
      path: '/auth/login',
      multiValueQueryStringParameters: {},
    });
    expect(login.statusCode).toBe(302);
    expect(String(login.multiValueHeaders?.location?.[0])).toMatch(
      new RegExp(`^${env('REZ_TEST_OIDC_ISSUER')}`),
    );
    expect(login.multiValueHeaders?.location?.[0]).toMatch(/code_challenge_method=S256/);
    const cookies = (login.multiValueHeaders?.['set-cookie'] ?? []).map(String);
    // One cookie: the login's state, nonce and PKCE verifier travel sealed in the session.
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['__Host-rez_session']);
    expect(cookies.every((c) => /HttpOnly; Secure; SameSite=Lax/.test(c))).toBe(true);
  });

  it('read its two secrets from Parameter Store once, for the first event, decrypted', () => {
    expect([...ssm.reads].sort()).toEqual(['/rez/dev/oauth-client-secret:1', '/rez/dev/session-key:2']);
  });

  it('ships JavaScript, its views and package.json only: no node_modules, no native addon', () => {
    const dist = path.resolve(__dirname, '../../packages/web/dist');
    const entries = readdirSync(dist, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile())
      .map((e) => path.relative(dist, path.join(e.parentPath, e.name)));
    expect(
      files.filter((f) => !/^(views\/[\w-]+\.(eta|css)|package\.json|[\w-]+\.js(\.map)?)$/.test(f)),
    ).toEqual([]);
    expect(files).toContain('index.js');
  });
});
