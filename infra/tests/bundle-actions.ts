/**
 * The AWS API actions a built Lambda bundle can call, read from the esbuild
 * metafile that `npm run build` writes beside its dist
 * (packages/<fn>/build-meta.json, scripts/build.mjs): every AWS SDK command
 * module that is in an output file the entry reaches (through its static and
 * dynamic imports), with bytes in it. esbuild drops a command nothing
 * references; it keeps every command a kept class or top-level statement
 * references, so the set errs on the side of more actions, never fewer — and
 * the few commands known to be in a bundle without ever being sent are named
 * below with the reason and a check that the reason still holds.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * SDK client package → IAM service prefix. A command of a client missing here
 * fails the derivation: a Lambda that starts using a new client (e.g.
 * client-scheduler) needs its row, and nothing else, for its actions to be
 * derived.
 */
export const SDK_CLIENTS: Readonly<Record<string, string>> = {
  'client-cloudwatch': 'cloudwatch',
  'client-dynamodb': 'dynamodb',
  'client-scheduler': 'scheduler',
  'client-sns': 'sns',
  'client-sqs': 'sqs',
  'client-ssm': 'ssm',
};

/**
 * Calls our own code signs and sends without an SDK client (SSM's
 * GetParameter: packages/aws/src/secrets/ssm-get-parameter.ts), found by
 * their JSON-protocol target (`AmazonSSM.GetParameter`) in our sources in
 * the bundle: X-Amz-Target prefix → IAM service prefix. A target of another
 * service fails the derivation until it has its row.
 */
export const SIGNED_TARGETS: Readonly<Record<string, string>> = {
  AmazonSSM: 'ssm',
};
const TARGET = /['"`]([A-Z][A-Za-z0-9_]+)\.([A-Z][A-Za-z0-9]+)['"`]/g;
const TARGET_PREFIX = /^(Amazon|AWS)/;

/** Operations IAM authorizes as another action (SQS batch calls need the single-message permission). */
const AUTHORIZED_AS: Readonly<Record<string, string>> = {
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
};

/**
 * Actions a call needs besides its own: creating or updating a schedule
 * passes its target's role to EventBridge Scheduler.
 */
const IMPLIED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'scheduler:CreateSchedule': ['iam:PassRole'],
  'scheduler:UpdateSchedule': ['iam:PassRole'],
};

/**
 * lib-dynamodb's document commands → the DynamoDB action each one needs. The
 * transaction and PartiQL commands need one action per item kind or statement
 * and are left out: one in a bundle fails the derivation until it is mapped.
 */
const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = {
  BatchGet: 'dynamodb:BatchGetItem',
  BatchWrite: 'dynamodb:BatchWriteItem',
  Delete: 'dynamodb:DeleteItem',
  Get: 'dynamodb:GetItem',
  Put: 'dynamodb:PutItem',
  Query: 'dynamodb:Query',
  Scan: 'dynamodb:Scan',
  Update: 'dynamodb:UpdateItem',
};

/** What a check of a "never sent" reason gets to look at. */
export interface BundleFacts {
  /** Our own source files in the bundle (repo-relative), with their text. */
  sources: ReadonlyMap<string, string>;
  /** The function's environment in the Pulumi program. */
  environment: Readonly<Record<string, string>>;
}

/**
 * Commands a bundle holds but never sends, each with why, and a check that
 * the why still holds (it fails the derivation otherwise).
 */
export const NEVER_SENT: readonly {
  action: string;
  reason: string;
  holds(facts: BundleFacts): string | null;
}[] = [
  {
    action: 'dynamodb:DescribeEndpoints',
    reason:
      "client-dynamodb's endpoint discovery, which sends it only when AWS_ENABLE_ENDPOINT_DISCOVERY, " +
      'AWS_ENDPOINT_DISCOVERY_ENABLED or endpointDiscoveryEnabled turns it on',
    holds: ({ sources, environment }) => {
      const variable = ['AWS_ENABLE_ENDPOINT_DISCOVERY', 'AWS_ENDPOINT_DISCOVERY_ENABLED'].find(
        (name) => name in environment,
      );
      if (variable) return `the function's environment sets ${variable}`;
      const file = [...sources].find(([, text]) => text.includes('endpointDiscoveryEnabled'))?.[0];
      return file ? `${file} sets endpointDiscoveryEnabled` : null;
    },
  },
  {
    action: 'dynamodb:Scan',
    reason:
      'lib-dynamodb builds its paginateScan at module load (a top-level call esbuild must keep); ' +
      'the message store never scans',
    holds: ({ sources }) => {
      const file = [...sources].find(([, text]) => /\b(ScanCommand|paginateScan)\b/.test(text))?.[0];
      return file ? `${file} uses ScanCommand or paginateScan` : null;
    },
  },
];

/** The part of an esbuild metafile this reads. */
export interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<
    string,
    {
      bytes: number;
      entryPoint?: string;
      imports: { path: string; kind: string; external?: boolean }[];
      inputs: Record<string, { bytesInOutput: number }>;
    }
  >;
}

/** What one bundle can call, and the facts the derivation used. */
export interface BundleActions {
  /** Every IAM action some command in the bundle needs, never-sent ones removed. */
  actions: Set<string>;
  /** The SDK command modules found, by the action each maps to (for messages). */
  commands: Map<string, string[]>;
  /** The never-sent actions that were in the bundle. */
  unsent: string[];
}

const COMMAND = /node_modules\/@aws-sdk\/([a-z0-9-]+)\/dist-es\/commands\/([A-Za-z0-9]+)Command\.js$/;

/**
 * Every AWS API action the bundle described by `metafile` can call.
 * `entry` is the bundle's source entry (repo-relative); `root` the repo.
 */
export function bundleActions(
  metafile: Metafile,
  entry: string,
  facts: Omit<BundleFacts, 'sources'>,
  root: string,
): BundleActions {
  const reached = reachableOutputs(metafile, entry);
  const commands = new Map<string, string[]>();
  const sources = new Map<string, string>();
  for (const output of reached) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output].inputs)) {
      if (bytesInOutput === 0) continue;
      if (input.startsWith('packages/')) {
        const text = readFileSync(path.join(root, input), 'utf8');
        sources.set(input, text);
        for (const [, service, operation] of text.matchAll(TARGET)) {
          if (!TARGET_PREFIX.test(service)) continue;
          const prefix = SIGNED_TARGETS[service];
          if (!prefix) {
            throw new Error(
              `${input} sends ${service}.${operation} itself: its service has no IAM prefix in SIGNED_TARGETS (infra/tests/bundle-actions.ts)`,
            );
          }
          const action = `${prefix}:${operation}`;
          commands.set(action, [...(commands.get(action) ?? []), input]);
        }
      }
      const match = COMMAND.exec(input);
      if (!match) continue;
      const action = actionOf(match[1], match[2], input);
      for (const needed of [action, ...(IMPLIED_ACTIONS[action] ?? [])]) {
        commands.set(needed, [...(commands.get(needed) ?? []), input]);
      }
    }
  }
  const actions = new Set(commands.keys());
  const unsent: string[] = [];
  for (const known of NEVER_SENT) {
    if (!actions.has(known.action)) continue;
    const broken = known.holds({ ...facts, sources });
    if (broken) {
      throw new Error(
        `${known.action} is in the bundle and counted as never sent (${known.reason}), but ${broken}: grant it or remove that`,
      );
    }
    actions.delete(known.action);
    unsent.push(known.action);
  }
  return { actions, commands, unsent };
}

function actionOf(pkg: string, command: string, input: string): string {
  if (pkg === 'lib-dynamodb') {
    const action = DOCUMENT_COMMANDS[command];
    if (!action) throw new Error(`${input}: no DynamoDB action known for lib-dynamodb's ${command}Command`);
    return action;
  }
  const prefix = SDK_CLIENTS[pkg];
  if (!prefix) {
    throw new Error(
      `${input}: @aws-sdk/${pkg} has no IAM prefix in SDK_CLIENTS (infra/tests/bundle-actions.ts): add its row`,
    );
  }
  const action = `${prefix}:${command}`;
  return AUTHORIZED_AS[action] ?? action;
}

/** The output files the bundle's entry loads, through static and dynamic imports. */
function reachableOutputs(metafile: Metafile, entry: string): string[] {
  const outputs = metafile.outputs;
  const start = Object.keys(outputs).filter((file) => outputs[file].entryPoint === entry);
  if (start.length !== 1) throw new Error(`the metafile has ${start.length} outputs for entry ${entry}`);
  const reached = new Set<string>();
  const pending = [...start];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (reached.has(file)) continue;
    reached.add(file);
    for (const { path: imported, external } of outputs[file].imports) {
      if (!external && outputs[imported]) pending.push(imported);
    }
  }
  return [...reached];
}

/** A Lambda's build as `npm run build` left it: its metafile, checked to describe its dist. */
export function readBuild(root: string, fn: string): { metafile: Metafile; entry: string } {
  const file = path.join(root, 'packages', fn, 'build-meta.json');
  const dist = path.join(root, 'packages', fn, 'dist');
  if (!existsSync(file)) {
    throw new Error(`${path.relative(root, file)} is missing: run \`npm run build\` (npm test does) first`);
  }
  const metafile = JSON.parse(readFileSync(file, 'utf8')) as Metafile;
  // The metafile must describe the files that ship: same JavaScript files, same sizes.
  const described = Object.entries(metafile.outputs)
    .filter(([name]) => name.endsWith('.js'))
    .map(([name, output]) => `${path.basename(name)} ${output.bytes}`)
    .sort();
  const shipped = readdirSync(dist)
    .filter((name) => name.endsWith('.js'))
    .map((name) => `${name} ${statSync(path.join(dist, name)).size}`)
    .sort();
  if (described.join('\n') !== shipped.join('\n')) {
    throw new Error(
      `${path.relative(root, file)} does not describe ${path.relative(root, dist)}: run \`npm run build\` again`,
    );
  }
  return { metafile, entry: `packages/${fn}/src/lambda.ts` };
}
