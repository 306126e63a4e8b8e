import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { BOOTSTRAP_KEYS } from '../bootstrap/config';
import { CONFIG_KEYS, SECRET_KEYS } from '../config';
import { deployRoleName, PREVIEW_ROLE_NAME, secretsKeyAlias } from '../naming';
import { REPO_ROOT } from './harness';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const schema = (name: string) =>
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'infra', 'schemas', name), 'utf8')) as object;
const validateProject = ajv.compile(schema('pulumi-project.schema.json'));
const validateStack = ajv.compile(schema('pulumi-stack.schema.json'));

const readYaml = (file: string) => parse(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
const STAGES = ['dev', 'prod'];

describe('Pulumi.yaml', () => {
  const project = readYaml('Pulumi.yaml');

  it('validates against the Pulumi project schema', () => {
    expect(validateProject(project) ? [] : validateProject.errors).toEqual([]);
  });

  it('runs infra/ as TypeScript with its own tsconfig, named relative to main (the program directory)', () => {
    expect(project).toMatchObject({
      name: 'rez-agent',
      main: 'infra/',
      runtime: { name: 'nodejs', options: { typescript: true } },
    });
    expect(existsSync(path.join(REPO_ROOT, project.main, 'index.ts'))).toBe(true);
    // The language host runs the program with cwd = main and passes the path through unchanged.
    expect(path.join(REPO_ROOT, project.main, project.runtime.options.tsconfig)).toBe(
      path.join(REPO_ROOT, 'infra', 'tsconfig.json'),
    );
  });

  it('is checked by a schema that rejects what Pulumi rejects', () => {
    expect(validateProject({ name: 'rez-agent' })).toBe(false);
    expect(validateProject({ name: 'rez agent', runtime: 'nodejs' })).toBe(false);
    expect(validateProject({ name: 'x', runtime: { name: 'nodejs', option: {} } })).toBe(false);
    expect(validateProject({ name: 'x', runtime: { name: 'nodejs', options: { typescript: 'yes' } } })).toBe(
      false,
    );
  });
});

describe.each(STAGES)('Pulumi.%s.yaml', (stage) => {
  const file = `Pulumi.${stage}.yaml`;
  const stack = readYaml(file);
  const config: Record<string, unknown> = stack.config;

  it('validates against the Pulumi stack schema', () => {
    expect(validateStack(stack) ? [] : validateStack.errors).toEqual([]);
  });

  it('sets only keys the program reads, and the AWS region', () => {
    for (const key of Object.keys(config)) {
      const [namespace, name] = key.split(':');
      if (namespace === 'aws') expect(name).toBe('region');
      else expect([namespace, (CONFIG_KEYS as readonly string[]).includes(name)]).toEqual(['rez', true]);
    }
  });

  it('holds secrets only as secure: ciphertext and documents how to set them', () => {
    for (const name of SECRET_KEYS) {
      const value = config[`rez:${name}`];
      if (value !== undefined) expect(value).toEqual({ secure: expect.any(String) });
    }
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const name of ['oauthClientSecret', 'sessionKey']) {
      expect(text).toMatch(new RegExp(`pulumi config set (--stack ${stage} )?--secret rez:${name}`));
    }
  });
});

describe('Pulumi stack schema', () => {
  it('rejects plaintext-shaped mistakes: unknown top-level keys, keys without a namespace, malformed secrets', () => {
    expect(validateStack({ configs: {} })).toBe(false);
    expect(validateStack({ config: { ntfyTopic: 'x' } })).toBe(false);
    expect(validateStack({ config: { 'rez:sessionKey': { secure: '' } } })).toBe(false);
    expect(validateStack({ config: { 'rez:sessionKey': { secure: 'v1:abc', extra: 1 } } })).toBe(false);
    expect(validateStack({ config: { 'rez:sessionKey': { secure: 'v1:abc' } } })).toBe(true);
  });
});

describe('infra/bootstrap/Pulumi.yaml', () => {
  const project = readYaml('infra/bootstrap/Pulumi.yaml');

  it('validates, and names its entry and tsconfig relative to its own folder (the program directory)', () => {
    expect(validateProject(project) ? [] : validateProject.errors).toEqual([]);
    expect(project).toMatchObject({ name: 'rez-bootstrap', main: 'index.ts', runtime: { name: 'nodejs' } });
    const programDir = path.join(REPO_ROOT, 'infra', 'bootstrap');
    expect(existsSync(path.join(programDir, project.main))).toBe(true);
    expect(path.join(programDir, project.runtime.options.tsconfig)).toBe(
      path.join(REPO_ROOT, 'infra', 'tsconfig.json'),
    );
  });
});

describe('infra/README.md Deploy', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'infra', 'README.md'), 'utf8');
  const deploy = readme.slice(readme.indexOf('## Deploy'), readme.indexOf('## Configuration'));

  it('sets only config keys the program and the bootstrap read', () => {
    const appKeys = [
      ...deploy.matchAll(/pulumi config set (?:--stack \w+ )?(?:--secret |--path ')*'?rez:(\w+)/g),
    ].map((m) => m[1]);
    expect(appKeys.length).toBeGreaterThan(5);
    for (const key of appKeys)
      expect([key, (CONFIG_KEYS as readonly string[]).includes(key)]).toEqual([key, true]);
    const bootstrapKeys = [...deploy.matchAll(/pulumi config set (?:--path ')?(\w+)(?:\[\d\]')? /g)].map(
      (m) => m[1],
    );
    expect(bootstrapKeys).toEqual(expect.arrayContaining(['githubRepository', 'stateBucket']));
    for (const key of bootstrapKeys) expect([key, BOOTSTRAP_KEYS.includes(key)]).toEqual([key, true]);
  });

  it('uses the role names, key aliases and secret commands the code defines', () => {
    for (const stage of ['dev', 'prod']) {
      expect(deploy).toContain(`role/rez-bootstrap/${deployRoleName(stage)}`);
      expect(deploy).toContain(
        `pulumi stack init ${stage} --secrets-provider "awskms://${secretsKeyAlias(stage)}?region=$AWS_REGION"`,
      );
      for (const key of ['oauthClientSecret', 'sessionKey']) {
        expect(deploy).toContain(`pulumi config set --stack ${stage} --secret rez:${key}`);
      }
    }
    expect(deploy).toContain(`role/rez-bootstrap/${PREVIEW_ROLE_NAME}`);
    expect(deploy).toContain('gh variable set PULUMI_BACKEND_URL');
  });
});
