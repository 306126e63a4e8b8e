/**
 * Runs the Pulumi program under `pulumi.runtime.setMocks` (no CLI, no AWS)
 * and records every resource's inputs by type, the way the pulumi-awsx and
 * pulumi/examples unit tests do.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { loadConfig, type RezConfig } from '../config';
import { createRez, type RezOutputs } from '../program';
import { fakeState, mockCall } from './fakes';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export { ACCOUNT_ID, fakeState, mockCall, REGION } from './fakes';

/** A registered resource as the engine would have seen it. */
export interface Recorded {
  type: string;
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: resource inputs are untyped property bags
  inputs: Record<string, any>;
  /** The provider reference (`<urn>::<id>`) a custom resource was registered with. */
  provider?: string;
}

/** What `pulumi config set --secret` would have stored for each required secret (fake values). */
export const TEST_SECRETS: Record<string, string> = {
  'rez:oauthClientSecret': 'test-client-secret',
  'rez:sessionKey': 'test-session-key-0123456789abcdef0123456789abcdef',
  'rez:ntfyToken': 'tk_test_token',
  'rez:actionKey': Buffer.alloc(32, 9).toString('base64'),
};

/** Reads Pulumi.<stage>.yaml and flattens it the way the CLI passes config to the program (PULUMI_CONFIG). */
export function stackConfig(stage: string): Record<string, string> {
  const file = parse(readFileSync(path.join(REPO_ROOT, `Pulumi.${stage}.yaml`), 'utf8')) as {
    config?: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config ?? {}).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

/** A folder with stub bundles (`<name>/dist/index.js`), so tests do not depend on `npm run build`. */
export function stubBundleRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'rez-bundles-'));
  for (const name of ['worker', 'scheduler', 'web']) {
    mkdirSync(path.join(root, name, 'dist'), { recursive: true });
    writeFileSync(path.join(root, name, 'dist', 'index.js'), 'exports.handler = async () => ({});\n');
  }
  return root;
}

/**
 * Installs mocks for one stage and sets its config. Returns the list the
 * mocks append every registered resource to.
 */
export function installMocks(
  stage: string,
  config: Record<string, string>,
  project = 'rez-agent',
): Recorded[] {
  const recorded: Recorded[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        return { id: `${args.name}-id`, state: fakeState(args.type, args.name, args.inputs) };
      },
      call: mockCall,
    },
    project,
    stage,
    false,
  );
  const secretKeys = Object.keys(TEST_SECRETS).filter((k) => k in config);
  pulumi.runtime.setAllConfig(config, secretKeys);
  return recorded;
}

/**
 * Waits until every registration the program started has reached the mocks
 * (disconnect drains the RPC queue first; the next setMocks reconnects).
 */
export async function settle(): Promise<void> {
  await pulumi.runtime.disconnect();
}

/** The resolved value of an output (tests only: mocks resolve everything). */
export function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

export function ofType(recorded: Recorded[], type: string): Recorded[] {
  return recorded.filter((r) => r.type === type);
}

export function one(recorded: Recorded[], type: string, nameSuffix = ''): Recorded {
  const found = ofType(recorded, type).filter((r) => r.name.endsWith(nameSuffix));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} named *${nameSuffix}, found ${found.map((r) => r.name).join(', ') || 'none'}`,
    );
  }
  return found[0];
}

const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const SECRET_VALUE = '1b47061264138c4ac30d75fd1eb44270';

/** Whether a recorded input was marked secret (the engine would encrypt it in state). */
export function isSecret(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE
  );
}

/** A recorded input with its secret wrapper (if any) removed. */
// biome-ignore lint/suspicious/noExplicitAny: unwrapping untyped property bags
export function plain(value: any): any {
  return isSecret(value) ? value.value : value;
}

/** Every statement of a policy JSON document, Action and Resource normalised to arrays. */
export function statements(policyJson: string): {
  Sid?: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}[] {
  const doc = JSON.parse(policyJson) as {
    Statement: {
      Sid?: string;
      Action: unknown;
      Resource?: unknown;
      Condition?: Record<string, Record<string, string>>;
    }[];
  };
  const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string]);
  return doc.Statement.map((s) => ({
    Sid: s.Sid,
    Action: list(s.Action),
    Resource: list(s.Resource),
    ...(s.Condition ? { Condition: s.Condition } : {}),
  }));
}

/** One mocked run of the program for a stage: its config, every registration, its outputs. */
export interface StageRun {
  config: RezConfig;
  recorded: Recorded[];
  outputs: RezOutputs;
}

/**
 * Runs createRez for `stage` under mocks, with the stack file's config, the
 * secrets a user would have set (all of TEST_SECRETS unless told), and
 * `overrides` on top. Stub bundles stand in
 * for `npm run build`.
 */
export async function runStage(
  stage: string,
  overrides: Record<string, string> = {},
  secrets: Record<string, string> = TEST_SECRETS,
): Promise<StageRun> {
  const bundles = stubBundles();
  const recorded = installMocks(stage, { ...stackConfig(stage), ...secrets, ...overrides });
  const config = loadConfig(stage);
  const outputs = createRez(config, (name) => path.join(bundles, name, 'dist'));
  await settle();
  return { config, recorded, outputs };
}

let sharedBundles: string | undefined;
/** One stub bundle folder per test file. */
export function stubBundles(): string {
  sharedBundles ??= stubBundleRoot();
  return sharedBundles;
}
