/**
 * Runs a Pulumi project's program the way `pulumi preview` does, minus the
 * CLI: the nodejs language host's argv and environment for
 * `@pulumi/pulumi/cmd/run`, built from Pulumi.yaml and Pulumi.<stack>.yaml as
 * pulumi-language-nodejs v3.248.0 builds them (sdk/nodejs/cmd/pulumi-language-nodejs/main.go:
 * `getPwdMain`, `parseOptions`, `constructArguments`, `constructConfig`), with
 * the engine replaced by {@link startMockEngine} at its gRPC seam.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { parse } from 'yaml';
import { type EngineRecord, startMockEngine } from './engine';

/** The `pulumi:` config the CLI passes for a secret it decrypted: cleartext, its key listed as secret. */
export type Secrets = Record<string, string>;

export interface LoaderRun {
  /** The program's exit code: 0, or 32 after it reported an error through the engine. */
  code: number | null;
  stdout: string;
  stderr: string;
  engine: EngineRecord;
  /** The run's error diagnostics and stderr, for a failure message that says what went wrong. */
  errors: string[];
}

interface Project {
  name: string;
  main?: string;
  runtime: string | { name: string; options?: Record<string, unknown> };
  config?: Record<string, unknown>;
}

/** `getPwdMain`: a directory `main` becomes the working directory and the entry point ".". */
export function pwdAndMain(root: string, main: string | undefined): { pwd: string; entry: string } {
  if (!main) return { pwd: root, entry: '.' };
  const full = path.resolve(root, main);
  if (!existsSync(full)) throw new Error(`project 'main' could not be read: ${full} does not exist`);
  return statSync(full).isDirectory()
    ? { pwd: full, entry: '.' }
    : { pwd: path.dirname(full), entry: path.basename(full) };
}

/** `parseOptions`: typescript defaults to true; tsconfig and nodeargs pass through unchanged. */
export function runtimeOptions(project: Project): {
  typescript: boolean;
  tsconfig?: string;
  nodeargs?: string;
} {
  const options = typeof project.runtime === 'string' ? {} : (project.runtime.options ?? {});
  if (options.typescript !== undefined && typeof options.typescript !== 'boolean') {
    throw new Error('typescript option must be a boolean');
  }
  return {
    typescript: options.typescript !== false,
    tsconfig: options.tsconfig as string | undefined,
    nodeargs: options.nodeargs as string | undefined,
  };
}

/** A config value as the engine hands it to the program: strings as they are, anything else as JSON. */
const wire = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * `constructConfig` and the secret keys: project defaults, then the stack
 * file, then the secrets as `pulumi config set --secret` would have stored
 * them. Keys go out as `<namespace>:config:<name>`. A `secure:` value in the
 * stack file needs its cleartext in `secrets` (there is no CLI to decrypt it).
 */
export function programConfig(
  project: Project,
  stackFile: { config?: Record<string, unknown> },
  secrets: Secrets,
): { config: Record<string, string>; secretKeys: string[] } {
  const flat: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [key, spec] of Object.entries(project.config ?? {})) {
    const full = key.includes(':') ? key : `${project.name}:${key}`;
    const value = typeof spec === 'object' && spec !== null ? (spec as { default?: unknown }).default : spec;
    if (value !== undefined) flat[full] = wire(value);
  }
  for (const [key, value] of Object.entries(stackFile.config ?? {})) {
    if (typeof value === 'object' && value !== null && 'secure' in value) {
      if (!(key in secrets)) throw new Error(`${key} is a secure: value; give the test its cleartext`);
      continue;
    }
    flat[key] = wire(value);
  }
  for (const [key, value] of Object.entries(secrets)) {
    flat[key] = value;
    secretKeys.add(key);
  }
  const config = Object.fromEntries(
    Object.entries(flat).map(([key, value]) => {
      const at = key.indexOf(':');
      return [`${key.slice(0, at)}:config:${key.slice(at + 1)}`, value];
    }),
  );
  return { config, secretKeys: [...secretKeys] };
}

export interface RunOptions {
  /** Folder holding Pulumi.yaml and Pulumi.<stack>.yaml. */
  root: string;
  stack: string;
  secrets: Secrets;
  /** Extra environment for the program (the CLI passes its own environment through). */
  env?: NodeJS.ProcessEnv;
  /** `--dry-run`, as `pulumi preview` runs it. */
  dryRun?: boolean;
  /** The stack's settings when the repo holds no Pulumi.<stack>.yaml for it (a stack the user configures). */
  stackFile?: { config?: Record<string, unknown> };
  /** Kill the program after this long (a hung RPC would otherwise hang the test). Default 150 s. */
  timeoutMs?: number;
}

/** Runs the program of `root` for one stack through Pulumi's own `cmd/run`, against the mock engine. */
export async function runLikePulumi(options: RunOptions): Promise<LoaderRun> {
  const { root, stack } = options;
  const project = parse(readFileSync(path.join(root, 'Pulumi.yaml'), 'utf8')) as Project;
  const stackFile =
    options.stackFile ?? parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), 'utf8')) ?? {};
  const { pwd, entry } = pwdAndMain(root, project.main);
  const runtime = runtimeOptions(project);
  const { config, secretKeys } = programConfig(project, stackFile, options.secrets);
  // `locateModule`: resolved from the program directory, as `node -e require.resolve(...)` there would.
  const runPath = createRequire(path.join(pwd, 'index.js')).resolve('@pulumi/pulumi/cmd/run');

  const engine = await startMockEngine(project.name, stack);
  try {
    const args = [
      ...(runtime.nodeargs ? runtime.nodeargs.split(/\s+/).filter(Boolean) : []),
      runPath,
      ...['--monitor', engine.address, '--engine', engine.address],
      ...['--organization', 'organization', '--project', project.name],
      ...['--root-directory', root, '--stack', stack, '--pwd', pwd],
      ...(options.dryRun === false ? [] : ['--dry-run']),
      ...['--parallel', '16'],
      entry,
    ];
    const env: NodeJS.ProcessEnv = {
      ...withoutPulumiVariables(process.env),
      ...options.env,
      PULUMI_CONFIG: JSON.stringify(config),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
      ...(runtime.typescript ? { PULUMI_NODEJS_TYPESCRIPT: 'true' } : {}),
      ...(runtime.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: runtime.tsconfig } : {}),
    };
    const child = spawn(process.execPath, args, { cwd: pwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 150_000);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    }).finally(() => clearTimeout(timer));
    const errors = [
      ...(timedOut
        ? [`the program did not finish within ${options.timeoutMs ?? 150_000} ms and was killed`]
        : []),
      ...engine.record.logs.filter((l) => l.severity === 'error').map((l) => l.message),
      ...(stderr.trim() ? [stderr.trim()] : []),
    ];
    return { code, stdout, stderr, engine: engine.record, errors };
  } finally {
    await engine.stop();
  }
}

/** The CLI sets these itself; a developer's own (a PULUMI_CONFIG from another run) must not leak in. */
function withoutPulumiVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('PULUMI_')));
}
