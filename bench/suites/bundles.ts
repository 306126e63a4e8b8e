/**
 * Cold start of each Lambda bundle beside a plain Powertools + SDK worker
 * (bench/baselines/plain-worker.ts) built here with the same esbuild options.
 *
 * - size: every file the build wrote for the bundle (chunks included, source
 *   maps excluded), and whether anything but the views ships beside it.
 * - load: a whole fresh `node` process that loads the bundle and checks its
 *   `handler` export, from spawn to exit (median of alternating runs; the
 *   ratio is the median of each run's ratio to the plain worker's run of the
 *   same round).
 * - load + first event: the same process, then one event through the
 *   handler with every AWS endpoint (and the OpenID issuer) on a local stub
 *   that refuses each call. What a bundle defers past its load is paid here,
 *   so this row shows whether deferring saved time or only moved it.
 *
 * Targets (issue 13): scheduler and worker load ≤ 0.8× the plain worker and
 * ≤ 450 KiB; web load ≤ 1.5× (1.2× hoped for) with nothing native beside it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ulidGenerator } from '@rez/core';
import { build } from 'esbuild';
// @ts-expect-error: plain ESM module, no types
import { dropUnreachableChunks, LAMBDA_PACKAGE_JSON, lambdaOptions } from '../../scripts/bundle-options.mjs';

const RUNS = Number(process.env.REZ_BENCH_RUNS ?? 21);
const KiB = 1024;

const LAMBDA_ENV: Record<string, string> = {
  REZ_STAGE: 'dev',
  REZ_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:rez-dev',
  REZ_MESSAGES_TABLE: 'rez-dev-messages',
  REZ_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/rez-dev',
  REZ_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/rez-dev-dlq',
  NTFY_BASE_URL: 'https://ntfy.sh',
  NTFY_TOPIC: 'rez-bench',
  OAUTH_ISSUER: 'https://issuer.example.com',
  OAUTH_CLIENT_ID: 'bench',
  REZ_ALLOWED_USERS: 'ops@example.com',
  // Secrets come from SSM (the stub below answers GetParameter); the worker reads a token as prod does.
  REZ_OAUTH_CLIENT_SECRET_PARAMETER: '/rez/dev/oauth-client-secret:1',
  REZ_SESSION_KEY_PARAMETER: '/rez/dev/session-key:1',
  REZ_NTFY_TOKEN_PARAMETER: '/rez/dev/ntfy-token:1',
  // Push buttons are on by default: the worker and the console read their key as a deployed stack does.
  REZ_ACTION_KEY_PARAMETER: '/rez/dev/action-key:1',
  REZ_PUBLIC_URL: 'https://rez.example.com',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  // The SDK warns once per process on Node 20 (Lambda runs 22): noise, and not what is timed.
  NODE_NO_WARNINGS: '1',
};

interface Subject {
  name: string;
  /** The handler file Lambda loads. */
  entry: string;
  /** Every file the bundle ships (for its size). */
  files: string[];
  /** What ships beside it other than JavaScript and views (native addons, node_modules). */
  extras: string[];
  /** The event its first invocation gets. */
  event: unknown;
}

/** What the stub's GetParameter answers, by the name the bundle asks for. */
const PARAMETERS: Record<string, string> = {
  '/rez/dev/oauth-client-secret:1': 'bench',
  '/rez/dev/session-key:1': Buffer.alloc(32, 7).toString('base64'),
  '/rez/dev/ntfy-token:1': 'tk_bench',
  '/rez/dev/action-key:1': Buffer.alloc(32, 9).toString('base64'),
};

/**
 * Answers every AWS call with a client error, but SSM GetParameter with the
 * secrets above (a Lambda reads them before its first event's work); serves
 * a discovery document for the console's issuer.
 */
async function startStub(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.headers['x-amz-target'] === 'AmazonSSM.GetParameter') {
        const { Name } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Name: string };
        const found = Name in PARAMETERS;
        response.writeHead(found ? 200 : 400, {
          'content-type': 'application/x-amz-json-1.1',
          connection: 'close',
        });
        response.end(
          JSON.stringify(
            found
              ? {
                  Parameter: {
                    Name: Name.split(':')[0],
                    Type: 'SecureString',
                    Value: PARAMETERS[Name],
                    Version: 1,
                  },
                }
              : { __type: 'ParameterNotFound', message: Name },
          ),
        );
        return;
      }
      if (request.url === '/.well-known/openid-configuration') {
        response.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
        response.end(
          JSON.stringify({
            issuer: url,
            authorization_endpoint: `${url}/authorize`,
            token_endpoint: `${url}/token`,
            jwks_uri: `${url}/jwks`,
          }),
        );
        return;
      }
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', connection: 'close' });
      response.end(
        JSON.stringify({ __type: 'ValidationException', message: 'bench stub refuses every call' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A node process that loads `entry` (and with `event`, invokes it once); resolves to its wall time in ms. */
function timeProcess(entry: string, env: Record<string, string>, event?: unknown): Promise<number> {
  // The bundles are ES modules (dist/package.json): import() them, as the Lambda runtime does.
  const invoke =
    event === undefined
      ? ''
      : `await handler(${JSON.stringify(event)}, { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 30000 }).catch(() => {});`;
  const script = `(async () => { const m = await import(${JSON.stringify(pathToFileURL(entry).href)}); const handler = m.handler ?? m.default?.handler; if (typeof handler !== 'function') throw new Error('no handler export'); ${invoke} process.exit(0); })().catch((e) => { console.error(e); process.exit(1); });`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { env: { ...process.env, ...env } }, (error, _out, stderr) => {
      if (error) reject(new Error(`${entry}: ${stderr || error.message}`));
      else resolve(performance.now() - started);
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The median of the run-by-run ratios: each run of a subject is divided by
 * the plain worker's run of the same round (timed just before it), so a
 * machine that speeds up or slows down during the suite moves both sides of
 * each ratio alike.
 */
const pairedRatio = (subject: number[], baseline: number[]) =>
  median(subject.map((value, i) => value / baseline[i]));

/** The files a build wrote for one Lambda: the entry and its chunks, not source maps, views or package.json. */
function bundleFiles(dir: string): { files: string[]; extras: string[] } {
  const files: string[] = [];
  const extras: string[] = [];
  for (const name of readdirSync(dir)) {
    if (/\.(c|m)?js$/.test(name)) files.push(path.join(dir, name));
    else if (!name.endsWith('.map') && name !== 'views' && name !== 'package.json') extras.push(name);
  }
  return { files, extras };
}

const size = (files: string[]) => files.reduce((sum, file) => sum + statSync(file).size, 0) / KiB;

export async function run({ progress, root }: { progress: (m: string) => void; root: string }) {
  const plainDir = mkdtempSync(path.join(tmpdir(), 'rez-plain-worker-'));
  const plain = await build({
    ...lambdaOptions(root),
    entryPoints: { index: path.join(root, 'bench/baselines/plain-worker.ts') },
    outdir: plainDir,
    absWorkingDir: root,
    metafile: true,
  });
  // Shipped as the Lambda builds are (scripts/build.mjs): without chunks nothing imports.
  await dropUnreachableChunks(plain.metafile, root, ['bench/baselines/plain-worker.ts']);
  writeFileSync(path.join(plainDir, 'package.json'), LAMBDA_PACKAGE_JSON);

  const message = (() => {
    const now = new Date();
    const id = ulidGenerator().next(now.getTime());
    return {
      id,
      type: 'notify',
      payload: { message: 'bench' },
      metadata: { created_date: now.toISOString(), created_by: 'bench', stage: 'dev' },
      correlation_id: id,
      causation_id: null,
      hop: 0,
    };
  })();
  const sample = (name: string) =>
    JSON.parse(readFileSync(path.join(root, 'test/fixtures/aws-events', `${name}.json`), 'utf8'));
  const sqs = sample('sqs-event');
  const sqsEvent = {
    Records: [
      {
        ...sqs.Records[0],
        body: JSON.stringify(message),
        messageAttributes: {},
        md5OfMessageAttributes: null,
      },
    ],
  };
  const albEvent = {
    ...sample('alb-lambda-target-request-headers-only'),
    path: '/healthz',
    httpMethod: 'GET',
  };

  const entryOf = (dir: string) => {
    const entry = path.join(dir, 'index.js');
    if (!statSafe(entry))
      throw new Error(`${path.relative(root, dir)} has no index.js: run \`npm run build\` first`);
    return entry;
  };
  const subjects: Subject[] = [
    { name: 'plain worker', entry: entryOf(plainDir), ...bundleFiles(plainDir), event: sqsEvent },
    ...(
      [
        ['scheduler', { schedule: 'hello-world', type: 'hello_world', payload: {} }],
        ['worker', sqsEvent],
        ['web', albEvent],
      ] as const
    ).map(([name, event]) => {
      const dir = path.join(root, 'packages', name, 'dist');
      return { name, entry: entryOf(dir), ...bundleFiles(dir), event };
    }),
  ];

  const stub = await startStub();
  const stubEnv = {
    ...LAMBDA_ENV,
    AWS_ENDPOINT_URL: stub.url,
    NTFY_BASE_URL: stub.url,
    OAUTH_ISSUER: stub.url,
  };
  const load: Record<string, number[]> = Object.fromEntries(subjects.map((s) => [s.name, []]));
  const first: Record<string, number[]> = Object.fromEntries(subjects.map((s) => [s.name, []]));
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const s of subjects) load[s.name].push(await timeProcess(s.entry, LAMBDA_ENV));
      for (const s of subjects) first[s.name].push(await timeProcess(s.entry, stubEnv, s.event));
      progress(`run ${i + 1}/${RUNS}`);
    }
  } finally {
    stub.server.close();
  }

  const plainLoad = median(load['plain worker']);
  const plainFirst = median(first['plain worker']);
  const rows = [];
  for (const s of subjects) {
    const kib = size(s.files);
    const isPlain = s.name === 'plain worker';
    const limit = s.name === 'web' ? 1.5 : 0.8;
    rows.push({
      name: `${s.name} bundle size (${s.files.length} file${s.files.length > 1 ? 's' : ''}${s.extras.length ? ` + ${s.extras.join(', ')}` : ''})`,
      value: kib,
      unit: 'KiB',
      ...(isPlain || s.name === 'web'
        ? {}
        : { target: '≤ 450 KiB', met: kib <= 450 && s.extras.length === 0 }),
      ...(s.name === 'web' ? { target: 'nothing native beside it', met: s.extras.length === 0 } : {}),
    });
    const loadMs = median(load[s.name]);
    const loadRatio = pairedRatio(load[s.name], load['plain worker']);
    rows.push({
      name: `${s.name} load, whole process (median of ${RUNS})`,
      value: loadMs,
      unit: 'ms',
      ...(isPlain
        ? {}
        : {
            baseline: { name: 'plain worker', value: plainLoad },
            ratio: loadRatio,
            target: `≤ ${limit}×`,
            met: loadRatio <= limit,
          }),
    });
    const firstMs = median(first[s.name]);
    rows.push({
      name: `${s.name} load + first event (median of ${RUNS})`,
      value: firstMs,
      unit: 'ms',
      ...(isPlain
        ? {}
        : {
            baseline: { name: 'plain worker', value: plainFirst },
            ratio: pairedRatio(first[s.name], first['plain worker']),
          }),
    });
  }
  return rows;
}

function statSafe(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
