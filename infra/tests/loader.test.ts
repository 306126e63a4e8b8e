/**
 * The program as `pulumi preview` runs it: Pulumi's own cmd/run, started with
 * the language host's argv and environment, ts-node type-checking infra/
 * with the tsconfig Pulumi.yaml names, the engine replaced at its gRPC seam
 * (engine.ts). A load, type or configuration error fails here as it would in
 * GitHub Actions.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, stubBundleRoot, TEST_SECRETS } from './harness';
import { type LoaderRun, runLikePulumi } from './loader';

/** What a user sets with `pulumi config set --secret` before the first run (the ntfy token is optional; the action key is needed while push actions are on). */
const REQUIRED_SECRETS = {
  'rez:oauthClientSecret': TEST_SECRETS['rez:oauthClientSecret'],
  'rez:sessionKey': TEST_SECRETS['rez:sessionKey'],
  'rez:actionKey': TEST_SECRETS['rez:actionKey'],
};

const STACKS = readdirSync(REPO_ROOT)
  .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined)
  .sort();

// A fresh ts-node cache, as on a new CI runner: its default cache skips type-checking files it saw before.
const env = {
  REZ_BUNDLE_ROOT: stubBundleRoot(),
  TS_NODE_CACHE_DIRECTORY: mkdtempSync(path.join(tmpdir(), 'rez-ts-node-')),
};

/** The run's diagnostics, for a failure message that shows what Pulumi would have printed. */
const report = (run: LoaderRun) => ({ code: run.code, errors: run.errors });

/**
 * A copy of the project in a temp folder (infra/ copied so it can be broken,
 * node_modules and packages linked), with `edit` applied to it.
 */
function projectCopy(edit: (root: string) => void): string {
  const root = mkdtempSync(path.join(tmpdir(), 'rez-project-'));
  for (const file of ['Pulumi.yaml', 'Pulumi.dev.yaml', 'tsconfig.base.json']) {
    cpSync(path.join(REPO_ROOT, file), path.join(root, file));
  }
  cpSync(path.join(REPO_ROOT, 'infra'), path.join(root, 'infra'), {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}tests`),
  });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  symlinkSync(path.join(REPO_ROOT, 'packages'), path.join(root, 'packages'), 'dir');
  edit(root);
  return root;
}

/** A project whose Pulumi.yaml names the tsconfig relative to the root, as the repo once did. */
const rootRelativeTsconfig = (dir: string) => {
  const project = readFileSync(path.join(dir, 'Pulumi.yaml'), 'utf8');
  writeFileSync(
    path.join(dir, 'Pulumi.yaml'),
    project.replace(/tsconfig: .*/, 'tsconfig: infra/tsconfig.json'),
  );
};

/** A project with a type error in infra/program.ts. */
const plantedTypeError = (dir: string) => {
  const program = path.join(dir, 'infra', 'program.ts');
  writeFileSync(
    program,
    `${readFileSync(program, 'utf8')}\nexport const planted: number = 'not a number';\n`,
  );
};

/** What infra/README.md has the user set on the bootstrap stack. */
const BOOTSTRAP_CONFIG = {
  'aws:region': 'eu-central-1',
  'rez-bootstrap:githubRepository': 'rzesz/rez-agent',
  'rez-bootstrap:stateBucket': 'rez-pulumi-state-123456789012',
};

const runs: Record<string, LoaderRun> = {};
beforeAll(async () => {
  // Each run is a node process of its own, as under the CLI. Type-checking infra/
  // (with @pulumi/aws's declarations) is most of a run's time, so the repo's
  // stacks run one after the other: the first fills the ts-node cache, the
  // others reuse it for the same files. The copies' files are new to the
  // cache, so the planted error is type-checked afresh, in parallel.
  const repo = async () => {
    for (const stack of STACKS) {
      runs[stack] = await runLikePulumi({ root: REPO_ROOT, stack, secrets: REQUIRED_SECRETS, env });
    }
    runs.missingSecret = await runLikePulumi({
      root: REPO_ROOT,
      stack: 'dev',
      secrets: {
        'rez:sessionKey': REQUIRED_SECRETS['rez:sessionKey'],
        'rez:actionKey': REQUIRED_SECRETS['rez:actionKey'],
      },
      env,
    });
  };
  const copy = async (name: string, edit: (root: string) => void) => {
    runs[name] = await runLikePulumi({
      root: projectCopy(edit),
      stack: 'dev',
      secrets: REQUIRED_SECRETS,
      env,
    });
  };
  const bootstrap = async () => {
    runs.bootstrap = await runLikePulumi({
      root: path.join(REPO_ROOT, 'infra', 'bootstrap'),
      stack: 'bootstrap',
      secrets: {},
      stackFile: { config: BOOTSTRAP_CONFIG },
      env,
    });
  };
  await Promise.all([
    repo(),
    bootstrap(),
    copy('rootTsconfig', rootRelativeTsconfig),
    copy('planted', plantedTypeError),
  ]);
}, 180_000);

describe('Loader: the program runs as the Pulumi CLI runs it', () => {
  it('finds a stack file for every stage the workflows deploy', () => {
    expect(STACKS).toEqual(expect.arrayContaining(['dev', 'prod']));
  });

  it.each(STACKS)('Pulumi.%s.yaml: loads, type-checks and registers the stack without an error', (stack) => {
    const run = runs[stack];
    expect(report(run)).toEqual({ code: 0, errors: [] });
    expect(run.engine.registrations.length).toBeGreaterThan(40);
    expect(run.engine.invokes).toEqual(
      expect.arrayContaining(['aws:index/getCallerIdentity:getCallerIdentity']),
    );
    expect(run.engine.registrations.map((r) => r.type)).toContain('aws:cloudfront/distribution:Distribution');
    expect(run.engine.stackOutputs).toMatchObject({
      consoleUrl: 'https://d111111abcdef8.cloudfront.net',
      callbackUrl: 'https://d111111abcdef8.cloudfront.net/auth/callback',
      ntfyTopicUrl: expect.stringMatching(/^https:\/\/ntfy\.sh\//),
    });
  });

  it('warns in preview that the prod topic is public while no rez:ntfyToken reserves it', () => {
    const warnings = (stack: string) =>
      runs[stack].engine.logs.filter((l) => l.severity === 'warning').map((l) => l.message);
    expect(warnings('prod')).toEqual([
      expect.stringContaining('the prod ntfy topic https://ntfy.sh/rzesz-alerts is public'),
    ]);
    expect(warnings('dev')).toEqual([]);
  });
});

describe('Loader: the bootstrap program runs as the Pulumi CLI runs it', () => {
  it('loads, type-checks and registers the roles, with the outputs the README’s next steps read', () => {
    const run = runs.bootstrap;
    expect(report(run)).toEqual({ code: 0, errors: [] });
    const roles = run.engine.registrations
      .filter((r) => r.type === 'aws:iam/role:Role')
      .map((r) => r.inputs.name);
    expect(roles.sort()).toEqual(['rez-dev-deploy', 'rez-preview', 'rez-prod-deploy']);
    expect(run.engine.stackOutputs).toMatchObject({
      backendUrl: 's3://rez-pulumi-state-123456789012?region=eu-central-1',
      secretsProviders: {
        dev: 'awskms://alias/rez-dev-pulumi-secrets?region=eu-central-1',
        prod: 'awskms://alias/rez-prod-pulumi-secrets?region=eu-central-1',
      },
      deployRoleArns: {
        dev: 'arn:aws:iam::123456789012:role/rez-bootstrap/rez-dev-deploy',
        prod: 'arn:aws:iam::123456789012:role/rez-bootstrap/rez-prod-deploy',
      },
      previewRoleArn: 'arn:aws:iam::123456789012:role/rez-bootstrap/rez-preview',
    });
  });
});

describe('Loader: it fails where Pulumi would', () => {
  it('on the tsconfig path the repo had (relative to the root, not to main)', () => {
    expect(runs.rootTsconfig.code).not.toBe(0);
    expect(runs.rootTsconfig.errors.join('\n')).toContain(
      'tsconfig path was set to infra/tsconfig.json but the file was not found',
    );
  });

  it('on a type error planted in infra/', () => {
    expect(runs.planted.code).not.toBe(0);
    expect(runs.planted.errors.join('\n')).toMatch(
      /program\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  });

  it('on a missing required secret, naming the command that sets it', () => {
    expect(runs.missingSecret.code).not.toBe(0);
    expect(runs.missingSecret.errors.join('\n')).toContain(
      'pulumi config set --secret rez:oauthClientSecret',
    );
  });
});
