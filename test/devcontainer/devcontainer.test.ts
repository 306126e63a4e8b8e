import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

// The Dev Container specification's own schema (see README.md beside this file).
const ajv = new Ajv2019({ allErrors: true, strict: false }).addFormat('uri', (value: string) =>
  URL.canParse(value),
);
const validate = ajv.compile(JSON.parse(read('test/devcontainer/devContainer.base.schema.json')) as object);

interface DevContainer {
  image: string;
  features: Record<string, Record<string, unknown>>;
  forwardPorts: (number | string)[];
  portsAttributes: Record<string, { label?: string }>;
  containerEnv?: Record<string, string>;
  postCreateCommand: string;
  customizations: { vscode: { extensions: string[] } };
}
const devcontainer = JSON.parse(read('.devcontainer/devcontainer.json')) as DevContainer;

/** Schema errors as `<path> <message>` lines; [] when valid. */
function problems(config: unknown): string[] {
  return validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

// biome-ignore lint/suspicious/noExplicitAny: parsed workflow YAML
const workflow = (name: string): any => parse(read(`.github/workflows/${name}`));
/** The Pulumi CLI release the deploy workflow installs. */
const workflowPulumiVersion = (): string => workflow('pulumi.yml').env.PULUMI_VERSION;

/** The version the dev container installs the Pulumi CLI at, from its Pulumi feature. */
function pulumiFeatureVersion(config: DevContainer): string | undefined {
  const entry = Object.entries(config.features).find(([id]) => /\/pulumi:\d+$/.test(id));
  return entry?.[1].version as string | undefined;
}

describe('Dev container: .devcontainer/devcontainer.json', () => {
  it('is valid against the Dev Container specification’s schema', () => {
    expect(problems(devcontainer)).toEqual([]);
  });

  it('is checked by a schema that refuses what the spec refuses', () => {
    expect(problems({ ...devcontainer, forwardPort: [3000] })).toContain(
      '/ must NOT have unevaluated properties',
    );
    expect(problems({ ...devcontainer, forwardPorts: ['not a port'] }).length).toBeGreaterThan(0);
    expect(problems({ ...devcontainer, postCreateCommand: 42 }).length).toBeGreaterThan(0);
    expect(problems({ ...devcontainer, $schema: 'not a uri' }).length).toBeGreaterThan(0);
    const { image: _, ...noImage } = devcontainer;
    expect(problems({ ...noImage, workspaceFolder: '/w' }).length).toBeGreaterThan(0);
  });

  it('installs the Pulumi CLI the workflows pin, so the two cannot drift', () => {
    expect(pulumiFeatureVersion(devcontainer)).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pulumiFeatureVersion(devcontainer)).toBe(workflowPulumiVersion());
    // A planted mismatch is caught.
    const drifted: DevContainer = {
      ...devcontainer,
      features: Object.fromEntries(
        Object.entries(devcontainer.features).map(([id, options]) =>
          /\/pulumi:\d+$/.test(id) ? [id, { ...options, version: '3.1.0' }] : [id, options],
        ),
      ),
    };
    expect(pulumiFeatureVersion(drifted)).not.toBe(workflowPulumiVersion());
  });

  it('runs the Node.js major the workflows and the Lambda runtime use, on Debian bookworm', () => {
    const [, major] = /typescript-node:\d+-(\d+)-bookworm$/.exec(devcontainer.image) ?? [];
    expect(major).toBeDefined();
    expect(Number(major)).toBe(
      workflow('ci.yml').jobs.check.steps.find((s: { uses?: string }) =>
        s.uses?.startsWith('actions/setup-node'),
      ).with['node-version'],
    );
    expect(read('infra/components/function.ts')).toContain(`NodeJS${major}dX`);
  });

  it('brings the AWS CLI and the GitHub CLI, and builds the repository when created', () => {
    const ids = Object.keys(devcontainer.features);
    expect(ids).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ghcr\.io\/devcontainers\/features\/aws-cli:\d+$/),
        expect.stringMatching(/^ghcr\.io\/devcontainers\/features\/github-cli:\d+$/),
      ]),
    );
    expect(devcontainer.postCreateCommand).toBe('npm ci && npm run build');
    // No Docker-in-Docker: nothing here builds or runs containers.
    expect(ids.filter((id) => /docker/.test(id))).toEqual([]);
  });

  it('forwards the console and the development sign-in, each labelled, on the port the runtime uses', () => {
    const signIn = Number(devcontainer.containerEnv?.REZ_DEV_OIDC_PORT);
    expect(devcontainer.forwardPorts).toEqual([3000, signIn]);
    for (const port of devcontainer.forwardPorts) {
      expect(devcontainer.portsAttributes[String(port)]?.label).toEqual(expect.any(String));
    }
  });

  it('recommends the Biome and Jest extensions', () => {
    expect(devcontainer.customizations.vscode.extensions).toEqual(
      expect.arrayContaining(['biomejs.biome', 'Orta.vscode-jest']),
    );
  });
});
