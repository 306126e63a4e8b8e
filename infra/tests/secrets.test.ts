import * as pulumi from '@pulumi/pulumi';
import { SECRET_PARAMETERS, secretParameterName } from '@rez/aws';
import { configWarnings, loadConfig } from '../config';
import {
  installMocks,
  isSecret,
  ofType,
  one,
  plain,
  type Recorded,
  runStage,
  type StageRun,
  stackConfig,
  statements,
  TEST_SECRETS,
} from './harness';

const runs: Record<string, StageRun> = {};
beforeAll(async () => {
  runs.dev = await runStage('dev');
  runs.prod = await runStage('prod');
});

/** Every string inside a value, secret wrappers opened. */
function strings(value: unknown): string[] {
  const opened = plain(value);
  if (typeof opened === 'string') return [opened];
  if (Array.isArray(opened)) return opened.flatMap(strings);
  if (opened !== null && typeof opened === 'object') return Object.values(opened).flatMap(strings);
  return [];
}

const functions = (run: StageRun) => ofType(run.recorded, 'aws:lambda/function:Function');
const withoutToken = Object.fromEntries(
  Object.entries(TEST_SECRETS).filter(([key]) => key !== 'rez:ntfyToken'),
);

/** The ARN the mocked provider gave the parameter of `key` (it must exist). */
function parameterArn(recorded: Recorded[], stage: string, key: keyof typeof SECRET_PARAMETERS): string {
  const parameter = one(recorded, 'aws:ssm/parameter:Parameter', `-${SECRET_PARAMETERS[key].name}`);
  expect(parameter.inputs.name).toBe(secretParameterName(stage, key));
  return `arn:aws:ssm:eu-central-1:123456789012:parameter${parameter.inputs.name}`;
}

describe.each(['dev', 'prod'])('Secrets (%s)', (stage) => {
  const get = () => runs[stage];

  it('stores each secret as an SSM SecureString under /rez/<stage>/, marked secret in state', () => {
    const parameters = ofType(get().recorded, 'aws:ssm/parameter:Parameter');
    expect(parameters.map((p) => p.inputs.name).sort()).toEqual(
      [
        '/rez/STAGE/action-key',
        '/rez/STAGE/ntfy-token',
        '/rez/STAGE/oauth-client-secret',
        '/rez/STAGE/session-key',
      ].map((n) => n.replace('STAGE', stage)),
    );
    for (const parameter of parameters) {
      expect(parameter.inputs.type).toBe('SecureString');
      expect(parameter.inputs.keyId).toBeUndefined(); // the AWS-managed aws/ssm key
      expect(isSecret(parameter.inputs.value)).toBe(true);
    }
    const byName = Object.fromEntries(parameters.map((p) => [p.inputs.name, plain(p.inputs.value)]));
    expect(byName[`/rez/${stage}/session-key`]).toBe(TEST_SECRETS['rez:sessionKey']);
    expect(byName[`/rez/${stage}/oauth-client-secret`]).toBe(TEST_SECRETS['rez:oauthClientSecret']);
    expect(byName[`/rez/${stage}/action-key`]).toBe(TEST_SECRETS['rez:actionKey']);
  });

  it('puts no secret value in any Lambda environment, only parameter names', () => {
    const values = Object.values(TEST_SECRETS);
    for (const fn of functions(get())) {
      const env = plain(fn.inputs.environment).variables as Record<string, unknown>;
      for (const [name, value] of Object.entries(env)) {
        expect({ fn: fn.name, name, secret: isSecret(value) }).toEqual({ fn: fn.name, name, secret: false });
        const leaked = strings(value).filter((text) => values.some((secret) => text.includes(secret)));
        expect({ fn: fn.name, name, leaked }).toEqual({ fn: fn.name, name, leaked: [] });
      }
      expect(Object.keys(env)).not.toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^(OAUTH_CLIENT_SECRET|REZ_SESSION_KEY|NTFY_TOKEN|REZ_ACTION_KEY)$/),
        ]),
      );
    }
  });

  it.each([
    // The action key: the worker signs push buttons, the console checks them.
    ['web', ['oauthClientSecret', 'sessionKey', 'actionKey']],
    ['worker', ['ntfyToken', 'actionKey']],
    ['scheduler', []],
  ] as const)('lets the %s function read exactly its own parameters', (fn, keys) => {
    const { recorded } = get();
    const policies = ofType(recorded, 'aws:iam/rolePolicy:RolePolicy');
    const policy = one(recorded, 'aws:iam/rolePolicy:RolePolicy', `rez-${stage}-${fn}-policy`);
    const ssm = statements(policy.inputs.policy).filter((s) => s.Action.some((a) => a.startsWith('ssm:')));
    const expected = keys.map((key) => parameterArn(recorded, stage, key));
    expect(ssm.flatMap((s) => s.Action)).toEqual(expected.length ? ['ssm:GetParameter'] : []);
    expect(ssm.flatMap((s) => s.Resource).sort()).toEqual([...expected].sort());
    // No other role reads any parameter, and nothing needs kms:Decrypt for the aws/ssm key.
    const readers = policies.filter((p) => p.inputs.policy.includes('ssm:'));
    expect(readers.map((p) => p.name).sort()).toEqual([
      `rez-${stage}-web-policy`,
      `rez-${stage}-worker-policy`,
    ]);
    expect(policies.some((p) => p.inputs.policy.includes('kms:'))).toBe(false);
  });
});

describe('A public ntfy topic', () => {
  it('gets no parameter and no grant when rez:ntfyToken is unset', async () => {
    const { recorded } = await runStage('dev', {}, withoutToken);
    expect(ofType(recorded, 'aws:ssm/parameter:Parameter').map((p) => p.inputs.name)).not.toContain(
      '/rez/dev/ntfy-token',
    );
    const worker = one(recorded, 'aws:lambda/function:Function', 'rez-dev-worker-function');
    expect(plain(worker.inputs.environment).variables.REZ_NTFY_TOKEN_PARAMETER).toBeUndefined();
    const policy = one(recorded, 'aws:iam/rolePolicy:RolePolicy', 'rez-dev-worker-policy').inputs.policy;
    expect(policy).not.toContain('ntfy-token');
    expect(policy).toContain('/rez/dev/action-key');
  });
});

describe('Push actions turned off (rez:pushActions false)', () => {
  it('needs no action key: no parameter, no variable and no grant for it anywhere', async () => {
    const withoutActionKey = Object.fromEntries(
      Object.entries(TEST_SECRETS).filter(([key]) => key !== 'rez:actionKey'),
    );
    const { recorded } = await runStage('dev', { 'rez:pushActions': 'false' }, withoutActionKey);
    expect(ofType(recorded, 'aws:ssm/parameter:Parameter').map((p) => p.inputs.name)).not.toContain(
      '/rez/dev/action-key',
    );
    for (const fn of ['worker', 'web']) {
      const env = plain(
        one(recorded, 'aws:lambda/function:Function', `rez-dev-${fn}-function`).inputs.environment,
      ).variables;
      expect(env.REZ_ACTION_KEY_PARAMETER).toBeUndefined();
      expect(env.REZ_PUSH_ACTIONS).toBe('false');
      expect(
        one(recorded, 'aws:iam/rolePolicy:RolePolicy', `rez-dev-${fn}-policy`).inputs.policy,
      ).not.toContain('action-key');
    }
  });

  it('refuses push actions on without a key, naming the command that sets one', () => {
    installMocks('dev', {
      ...stackConfig('dev'),
      ...Object.fromEntries(Object.entries(TEST_SECRETS).filter(([key]) => key !== 'rez:actionKey')),
    });
    expect(() => loadConfig('dev')).toThrow(
      'configuration error: rez:actionKey is required while push actions are on (rez:pushActions): set it with `pulumi config set --secret rez:actionKey "$(openssl rand -base64 32)"`, or set rez:pushActions to false',
    );
  });

  it('makes preview warn for prod, and only for prod', () => {
    installMocks('prod', { ...stackConfig('prod'), ...withoutToken });
    const [warning, ...more] = configWarnings(loadConfig('prod'));
    expect(more).toEqual([]);
    expect(warning).toContain('the prod ntfy topic https://ntfy.sh/rzesz-alerts is public');
    expect(warning).toContain('pulumi config set --stack prod --secret rez:ntfyToken');
    installMocks('prod', { ...stackConfig('prod'), ...TEST_SECRETS });
    expect(configWarnings(loadConfig('prod'))).toEqual([]);
    installMocks('dev', { ...stackConfig('dev'), ...withoutToken });
    expect(configWarnings(loadConfig('dev'))).toEqual([]);
  });

  it('logs the warning through pulumi.log.warn when the program runs', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    try {
      await runStage('prod', {}, withoutToken);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('the prod ntfy topic'));
      warn.mockClear();
      await runStage('prod');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
