import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { bundlePath, bundleRoot, requireBundle } from '../bundles';
import { Messaging } from '../components/messaging';
import { Secrets } from '../components/secrets';
import { Worker, workerLeaseSeconds } from '../components/worker';
import { loadConfig } from '../config';
import { createRez } from '../program';
import {
  installMocks,
  REPO_ROOT,
  resolved,
  settle,
  stackConfig,
  stubBundleRoot,
  TEST_SECRETS,
} from './harness';

const devConfig = () => ({ ...stackConfig('dev'), ...TEST_SECRETS });

describe('Program: infra/index.ts', () => {
  const saved = process.env.REZ_BUNDLE_ROOT;
  afterAll(() => {
    if (saved === undefined) delete process.env.REZ_BUNDLE_ROOT;
    else process.env.REZ_BUNDLE_ROOT = saved;
  });

  it('runs as `pulumi up` would and exports the stack outputs', async () => {
    process.env.REZ_BUNDLE_ROOT = stubBundleRoot();
    const recorded = installMocks('dev', devConfig());
    const program = await import('../index');
    await settle();
    expect(recorded.length).toBeGreaterThan(30);
    expect(await resolved(program.consoleUrl)).toBe('https://d111111abcdef8.cloudfront.net');
    expect(await resolved(program.callbackUrl)).toBe('https://d111111abcdef8.cloudfront.net/auth/callback');
    expect(await resolved(program.topicArn)).toMatch(/^arn:aws:sns:.*rez-dev-topic/);
    expect(await resolved(program.queueUrl)).toMatch(/^https:\/\/sqs\..*rez-dev-queue/);
    expect(await resolved(program.deadLetterQueueUrl)).toMatch(/rez-dev-dlq/);
    expect(await resolved(program.tableName)).toMatch(/rez-dev-messages/);
    expect(program.ntfyTopicUrl).toBe('https://ntfy.sh/rzesz-alerts-dev');
  });
});

describe('Bundles', () => {
  it('ships packages/<name>/dist by default', () => {
    expect(bundlePath('worker', bundleRoot({}))).toBe(path.join(REPO_ROOT, 'packages', 'worker', 'dist'));
    expect(bundlePath('web', bundleRoot({ REZ_BUNDLE_ROOT: '/tmp/x' }))).toBe('/tmp/x/web/dist');
  });

  it('fails before declaring anything when a bundle is not built, saying to run npm run build', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'rez-empty-'));
    expect(() => requireBundle('scheduler', empty)).toThrow(
      `${path.join(empty, 'scheduler', 'dist', 'index.js')} does not exist. Run \`npm run build\` first`,
    );
    const recorded = installMocks('dev', devConfig());
    expect(() => createRez(loadConfig('dev'), (name) => requireBundle(name, empty))).toThrow(/npm run build/);
    await settle();
    expect(recorded.filter((r) => r.type.startsWith('aws:'))).toEqual([]);
  });
});

describe('Config: errors name the key', () => {
  it.each([
    [{ 'rez:ntfyTopic': '' }, 'rez:ntfyTopic is required but not set'],
    [{ 'rez:ntfyTopic': 'has spaces' }, 'rez:ntfyTopic must be 1–64 letters'],
    [{ 'rez:batchSize': '0' }, 'rez:batchSize must be a whole number from 1 to 10000, got "0"'],
    [{ 'rez:batchSize': '50', 'rez:batchWindowSeconds': '0' }, 'rez:batchWindowSeconds must be at least 1'],
    [{ 'rez:logRetentionDays': '8' }, "rez:logRetentionDays must be one of CloudWatch's retention periods"],
    [{ 'rez:pointInTimeRecovery': 'yes' }, 'rez:pointInTimeRecovery must be true or false'],
    [{ 'rez:oauthIssuer': 'not a url' }, 'rez:oauthIssuer must be an http(s) URL'],
    [{ 'rez:allowedUsers': '[]' }, 'rez:allowedUsers must be a non-empty list'],
    [
      { 'rez:certificateArn': 'arn:aws:iam::1:role/x', 'rez:domainName': 'rez.example.com' },
      'rez:certificateArn must be an ACM certificate ARN',
    ],
    [
      { 'rez:messageRetentionDays': '8' },
      'rez:messageRetentionDays must be a whole number from 1 to 7, got "8"',
    ],
    [{ 'rez:alertEmail': 'ops@example.com, b@example.com' }, 'rez:alertEmail must be one e-mail address'],
    [{ 'rez:oauthClientSecret': '' }, 'pulumi config set --secret rez:oauthClientSecret'],
    [{ 'rez:ntfyTopc': 'typo' }, 'rez:ntfyTopc is not a setting Rez reads'],
  ])('%j → %s', (override, message) => {
    installMocks('dev', { ...devConfig(), ...override });
    expect(() => loadConfig('dev')).toThrow(message);
  });

  it('accepts only the stages @rez/core knows as stack names', () => {
    installMocks('qa', devConfig());
    expect(() => loadConfig('qa')).toThrow('stack name must be one of dev, stage, prod, got "qa"');
  });

  it('treats the ntfy token as optional and secret', async () => {
    const { 'rez:ntfyToken': _, ...withoutToken } = devConfig();
    installMocks('dev', withoutToken);
    expect(loadConfig('dev').ntfy.token).toBeUndefined();
    installMocks('dev', devConfig());
    const token = loadConfig('dev').ntfy.token;
    expect(token).toBeDefined();
    expect(await pulumi.isSecret(token as pulumi.Output<string>)).toBe(true);
  });
});

describe('Components: args are validated up front', () => {
  beforeEach(() => installMocks('dev', devConfig()));

  it('Messaging rejects a maxReceiveCount outside 1–1000', () => {
    expect(
      () => new Messaging('m', { maxReceiveCount: 0, consumerTimeoutSeconds: 30, messageRetentionDays: 4 }),
    ).toThrow('Messaging: maxReceiveCount must be a whole number from 1 to 1000, got 0');
  });

  it('Messaging keeps the queue’s retention a week under the DLQ’s', () => {
    expect(
      () => new Messaging('m', { maxReceiveCount: 3, consumerTimeoutSeconds: 30, messageRetentionDays: 14 }),
    ).toThrow('Messaging: messageRetentionDays must be 1–7, got 14: the DLQ keeps a message 14 days');
  });

  it('Worker rejects a queue visibility timeout under 6 × its timeout', () => {
    const args = {
      stage: 'dev',
      bundleDir: '/nowhere',
      queueArn: 'arn:q',
      queueVisibilityTimeoutSeconds: 179,
      deadLetterQueueUrl: 'https://dlq',
      deadLetterQueueArn: 'arn:dlq',
      topicArn: 'arn:t',
      tableName: 't',
      tableArn: 'arn:tbl',
      retentionDays: 30,
      ntfy: { baseUrl: 'https://ntfy.sh', topic: 'x' },
      secrets: new Secrets('s', { stage: 'dev', values: {} }),
      roleScope: { path: '/rez/dev/', permissionsBoundary: 'arn:aws:iam::1:policy/b' },
      timeoutSeconds: 30,
      memoryMb: 512,
      batchSize: 5,
      batchWindowSeconds: 0,
      maxConcurrency: 2,
      maxReceiveCount: 5,
      push: { publicUrl: 'https://x', actions: false, ttlHours: 24, snoozeHours: 24, builtInSchedules: [] },
      logRetentionDays: 7,
    };
    expect(() => new Worker('w', args)).toThrow(
      'Worker: queueVisibilityTimeoutSeconds (179) must be at least 6 × timeoutSeconds (30)',
    );
    // The event source mapping's concurrency cap has AWS's floor of 2.
    expect(() => new Worker('w', { ...args, queueVisibilityTimeoutSeconds: 180, maxConcurrency: 1 })).toThrow(
      'Worker: maxConcurrency must be a whole number from 2 to 1000',
    );
    expect(
      () =>
        new Worker('w', {
          ...args,
          queueVisibilityTimeoutSeconds: 180,
          push: { ...args.push, actions: true },
        }),
    ).toThrow('Worker: push actions need the action key in secrets (rez:actionKey)');
  });

  it('Worker leases messages for its timeout plus a margin, always under the visibility timeout', () => {
    expect(workerLeaseSeconds(30, 180)).toBe(60);
    expect(workerLeaseSeconds(900, 5400)).toBe(930);
    expect(workerLeaseSeconds(1, 6)).toBe(3);
    for (const timeout of [1, 2, 3, 10, 59, 300]) {
      const lease = workerLeaseSeconds(timeout, 6 * timeout);
      expect(lease).toBeGreaterThan(timeout);
      expect(lease).toBeLessThan(6 * timeout);
    }
  });
});
