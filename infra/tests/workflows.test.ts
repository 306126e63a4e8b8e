import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
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
  it.each(['ci.yml', 'deploy.yml', 'pulumi.yml'])('%s is a valid workflow', (name) => {
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

describe('Workflow: ci.yml', () => {
  const ci = workflow('ci.yml');

  it('runs on pull requests and on pushes to main', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.push.branches).toEqual(['main']);
  });

  it('installs, lints, type-checks, tests and builds on Node 20 with Chromium', () => {
    const steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] = ci.jobs.check.steps;
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe(20);
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
});

describe('Workflow: deploy.yml', () => {
  const deploy = workflow('deploy.yml');
  const pulumi = workflow('pulumi.yml');

  it('previews pull requests, deploys main to dev, and releases or manual runs to prod', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['pull_request', 'push', 'release', 'workflow_dispatch']);
    expect(deploy.on.release.types).toEqual(['published']);
    const jobs = Object.fromEntries(
      Object.entries(deploy.jobs).map(([name, job]) => {
        const { with: inputs, uses, if: condition } = job as Record<string, never>;
        return [name, { uses, condition, inputs }];
      }),
    );
    expect(jobs.preview.inputs).toEqual({ command: 'preview', stack: 'dev', environment: 'preview' });
    expect(jobs.preview.condition).toContain("github.event_name == 'pull_request'");
    expect(jobs.dev.inputs).toEqual({ command: 'up', stack: 'dev', environment: 'dev' });
    expect(jobs.dev.condition).toContain("github.ref == 'refs/heads/main'");
    expect(jobs.prod.inputs).toEqual({ command: 'up', stack: 'prod', environment: 'prod' });
    expect(jobs.prod.condition).toContain("github.event_name == 'release'");
    expect(jobs.prod.condition).toContain("github.event_name == 'workflow_dispatch'");
    for (const job of Object.values(jobs)) expect(job.uses).toBe('./.github/workflows/pulumi.yml');
  });

  it('runs Pulumi in the stage environment, one run per stack, with OIDC credentials and a PR comment on previews', () => {
    const job = pulumi.jobs.pulumi;
    expect(job.environment).toBe(expr('inputs.environment'));
    expect(job.concurrency).toEqual({ group: `pulumi-${expr('inputs.stack')}`, 'cancel-in-progress': false });
    expect(pulumi.permissions['id-token']).toBe('write');
    const steps: { uses?: string; with?: Record<string, string>; env?: Record<string, string> }[] = job.steps;
    const aws = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(aws?.with?.['role-to-assume']).toBe(expr('vars.AWS_DEPLOY_ROLE_ARN'));
    expect(JSON.stringify(pulumi)).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
    const run = steps.find((s) => s.uses?.startsWith('pulumi/actions'));
    expect(run?.with).toMatchObject({
      command: expr('inputs.command'),
      'comment-on-pr': expr("inputs.command == 'preview'"),
    });
    expect(run?.env?.PULUMI_ACCESS_TOKEN).toBe(expr('secrets.PULUMI_ACCESS_TOKEN'));
    const build = steps.findIndex((s) => (s as { run?: string }).run === 'npm run build');
    expect(build).toBeGreaterThan(-1);
    expect(build).toBeLessThan(steps.indexOf(run as never));
  });
});
