import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { evaluate } from './gh-expression';
import { REPO_ROOT } from './harness';

const VALIDATOR = path.join(REPO_ROOT, 'node_modules', '.bin', 'action-validator');
const WORKFLOWS = path.join(REPO_ROOT, '.github', 'workflows');

function validate(file: string) {
  const result = spawnSync(VALIDATOR, [file], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A GitHub Actions expression, `${{ … }}` (built so it is not mistaken for a template literal). */
const expr = (body: string) => ['$', '{{ ', body, ' }}'].join('');

// biome-ignore lint/suspicious/noExplicitAny: parsed workflow YAML
const workflow = (name: string): any => parse(readFileSync(path.join(WORKFLOWS, name), 'utf8'));

describe('GitHub workflows: action-validator', () => {
  it.each(['ci.yml', 'pulumi.yml'])('%s is a valid workflow', (name) => {
    const result = validate(path.join(WORKFLOWS, name));
    expect(result).toEqual({ status: 0, output: '' });
  });

  it('catches a broken workflow (a typo in a trigger, a job without runs-on)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rez-workflow-'));
    const broken = path.join(dir, 'broken.yml');
    writeFileSync(
      broken,
      'name: broken\non:\n  pull_requests:\njobs:\n  x:\n    steps:\n      - run: echo\n',
    );
    const result = validate(broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("Additional property 'pull_requests' is not allowed");
    expect(result.output).toContain('/jobs/x/runs-on');
  });
});

type Step = {
  uses?: string;
  run?: string;
  name?: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed workflow YAML
  with?: Record<string, any>;
  env?: Record<string, string>;
};

const ci = workflow('ci.yml');
const pulumi = workflow('pulumi.yml');
const pulumiSteps: Step[] = pulumi.jobs.pulumi.steps;

/** The GitHub context of one event, as the expressions see it. */
function event(name: string, extra: Record<string, unknown> = {}) {
  return {
    github: {
      event_name: name,
      ref: 'refs/heads/main',
      repository: 'rzesz/rez-agent',
      run_id: 4242,
      event: {},
      ...extra,
    },
  };
}
const pullRequest = (number: number, headRepo = 'rzesz/rez-agent') =>
  event('pull_request', {
    ref: `refs/pull/${number}/merge`,
    event: { pull_request: { number, head: { repo: { full_name: headRepo } } } },
  });

/** Which deploy jobs of ci.yml run for an event, with the inputs they pass. */
function deploysFor(context: ReturnType<typeof event>) {
  return Object.entries(ci.jobs)
    .filter(([name]) => name !== 'check')
    .filter(([, job]) => evaluate(`\${{ ${(job as { if: string }).if} }}`, context) === true)
    .map(([name, job]) => ({ name, ...(job as { with: Record<string, string> }).with }));
}

/** The concurrency group and cancel flag of a pulumi.yml run. */
function pulumiConcurrency(inputs: Record<string, string>, context: ReturnType<typeof event>) {
  const { group, 'cancel-in-progress': cancel } = pulumi.jobs.pulumi.concurrency;
  return { group: evaluate(group, { ...context, inputs }), cancel: evaluate(cancel, { ...context, inputs }) };
}

describe('Workflow: ci.yml', () => {
  it('runs on pull requests, pushes to main, published releases and by hand', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'release', 'workflow_dispatch']);
    expect(ci.on.push.branches).toEqual(['main']);
    expect(ci.on.release.types).toEqual(['published']);
  });

  it('installs, lints, type-checks, tests and builds on Node 22 (the Lambda runtime) with Chromium', () => {
    const { check } = ci.jobs;
    expect(check.container).toBe('node:22-bookworm');
    const steps: Step[] = check.steps;
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe(22);
    const runs = steps.flatMap((s) => (s.run ? [s.run] : []));
    const order = [
      'npm ci',
      'apt-get install -y',
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'npm run build',
    ];
    const positions = order.map((command) => runs.findIndex((r) => r.includes(command)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(runs.find((r) => r.includes('apt-get install'))).toMatch(/\bchromium\b/);
  });

  it('deploys only after the check job of the same run passed', () => {
    for (const [name, job] of Object.entries(ci.jobs)) {
      if (name === 'check') continue;
      expect({ name, needs: (job as { needs: string }).needs, uses: (job as { uses: string }).uses }).toEqual(
        {
          name,
          needs: 'check',
          uses: './.github/workflows/pulumi.yml',
        },
      );
    }
  });

  it('previews dev on same-repo pull requests, deploys main to dev, releases and manual runs on main to prod', () => {
    expect(deploysFor(pullRequest(7))).toEqual([
      { name: 'preview', command: 'preview', stack: 'dev', environment: 'preview' },
    ]);
    expect(deploysFor(pullRequest(7, 'someone/fork'))).toEqual([]);
    expect(deploysFor(event('push'))).toEqual([
      { name: 'dev', command: 'up', stack: 'dev', environment: 'dev' },
    ]);
    expect(deploysFor(event('push', { ref: 'refs/heads/feature' }))).toEqual([]);
    expect(deploysFor(event('release', { ref: 'refs/tags/v1.0.0' }))).toEqual([
      { name: 'prod', command: 'up', stack: 'prod', environment: 'prod' },
    ]);
    expect(deploysFor(event('workflow_dispatch'))).toEqual([
      { name: 'prod', command: 'up', stack: 'prod', environment: 'prod' },
    ]);
    expect(deploysFor(event('workflow_dispatch', { ref: 'refs/heads/feature' }))).toEqual([]);
  });

  it('replaces a pull request’s older run, and never cancels a run on main or a release', () => {
    const run = (context: ReturnType<typeof event>) => ({
      group: evaluate(ci.concurrency.group, context),
      cancel: evaluate(ci.concurrency['cancel-in-progress'], context),
    });
    expect(run(pullRequest(7))).toEqual({ group: 'ci-pr-7', cancel: true });
    expect(run(event('push'))).toEqual({ group: 'ci-run-4242', cancel: false });
    expect(run(event('release'))).toEqual({ group: 'ci-run-4242', cancel: false });
  });
});

describe('Workflow: pulumi.yml', () => {
  it('never puts a preview in the group of an up, and never cancels an up', () => {
    const up = pulumiConcurrency({ command: 'up', stack: 'dev' }, event('push'));
    const preview = pulumiConcurrency({ command: 'preview', stack: 'dev' }, pullRequest(7));
    const otherPreview = pulumiConcurrency({ command: 'preview', stack: 'dev' }, pullRequest(8));
    expect(up).toEqual({ group: 'pulumi-up-dev', cancel: false });
    expect(preview).toEqual({ group: 'pulumi-preview-dev-7', cancel: true });
    expect(otherPreview.group).not.toBe(preview.group);
    expect(pulumiConcurrency({ command: 'up', stack: 'prod' }, event('release')).group).toBe(
      'pulumi-up-prod',
    );
  });

  it('runs in the stage environment with OIDC credentials, Node 22, and no stored keys or tokens required', () => {
    const job = pulumi.jobs.pulumi;
    expect(job.environment).toBe(expr('inputs.environment'));
    expect(pulumi.permissions['id-token']).toBe('write');
    expect(pulumi.on.workflow_call.secrets.PULUMI_ACCESS_TOKEN.required).toBe(false);
    expect(pulumiSteps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe(
      22,
    );
    const aws = pulumiSteps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(aws?.with?.['role-to-assume']).toBe(expr('vars.AWS_DEPLOY_ROLE_ARN'));
    expect(JSON.stringify(pulumi)).not.toMatch(
      /aws-access-key-id|aws-secret-access-key|PULUMI_CONFIG_PASSPHRASE/,
    );
    const duration = (command: string) =>
      evaluate(aws?.with?.['role-duration-seconds'], { inputs: { command } });
    expect([duration('up'), duration('preview')]).toEqual([7200, 3600]);
  });

  it('builds, checks the stack exists, then runs the command against the S3 backend with a PR comment on previews', () => {
    const build = pulumiSteps.findIndex((s) => s.run === 'npm run build');
    const check = pulumiSteps.findIndex((s) => s.name === 'Check that the stack exists');
    const run = pulumiSteps.findIndex((s) => s.uses?.startsWith('pulumi/actions') && s.with?.command);
    expect(build).toBeGreaterThan(-1);
    expect([build < check, check < run]).toEqual([true, true]);
    expect(pulumiSteps[run].with).toMatchObject({
      command: expr('inputs.command'),
      'stack-name': expr('inputs.stack'),
      'cloud-url': expr('vars.PULUMI_BACKEND_URL'),
      'comment-on-pr': expr("inputs.command == 'preview'"),
    });
  });

  it('tells what to run when the stack does not exist yet, or its file was not committed', () => {
    const script = pulumiSteps.find((s) => s.name === 'Check that the stack exists')?.run ?? '';
    expect(script).toContain('no stack named');
    expect(script).toContain(
      "pulumi stack init $STACK --secrets-provider 'awskms://alias/rez-$STACK-pulumi-secrets?region=$REGION'",
    );
    expect(script).toContain('pulumi config set --stack $STACK --secret rez:oauthClientSecret');
    expect(script).toContain('secretsprovider: awskms://');
  });

  it('pins the Pulumi CLI to the release of the @pulumi/pulumi the program uses', () => {
    const sdk = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'node_modules', '@pulumi', 'pulumi', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(pulumi.env.PULUMI_VERSION).toBe(sdk.version);
    const pulumiActions = pulumiSteps.filter((s) => s.uses?.startsWith('pulumi/actions'));
    expect(pulumiActions).toHaveLength(2);
    for (const step of pulumiActions) expect(step.with?.['pulumi-version']).toBe(expr('env.PULUMI_VERSION'));
  });
});

describe('Workflows: actions', () => {
  /** The current major of each action the workflows use (checked against their repositories, 2026-11). */
  const CURRENT = {
    'actions/checkout': 'v7',
    'actions/setup-node': 'v7',
    'actions/upload-artifact': 'v7',
    'aws-actions/configure-aws-credentials': 'v6',
    'pulumi/actions': 'v7',
  } as Record<string, string>;

  it('uses the current major of every action', () => {
    const uses = [ci, pulumi]
      .flatMap((w) => Object.values(w.jobs) as { steps?: Step[] }[])
      .flatMap((job) => job.steps ?? [])
      .flatMap((step) => (step.uses && !step.uses.startsWith('./') ? [step.uses] : []));
    expect(uses.length).toBeGreaterThan(5);
    for (const use of uses) {
      const [action, version] = use.split('@');
      expect({ action, version }).toEqual({ action, version: CURRENT[action] });
    }
  });
});
