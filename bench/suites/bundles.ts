/**
 * Cold-init proxy for each Lambda bundle: its size, and the time a fresh
 * Node process takes to require() it (median of several runs), beside a bare
 * handler required the same way.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const RUNS = 7;
const LAMBDA_ENV = {
  REZ_STAGE: 'dev',
  REZ_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:rez-dev',
  REZ_MESSAGES_TABLE: 'rez-dev-messages',
  REZ_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/rez-dev',
  REZ_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/rez-dev-dlq',
  NTFY_BASE_URL: 'https://ntfy.sh',
  NTFY_TOPIC: 'rez-bench',
  OAUTH_ISSUER: 'https://issuer.example.com',
  OAUTH_CLIENT_ID: 'bench',
  OAUTH_CLIENT_SECRET: 'bench',
  REZ_ALLOWED_USERS: 'ops@example.com',
  REZ_SESSION_KEY: Buffer.alloc(32, 7).toString('base64'),
  REZ_PUBLIC_URL: 'https://rez.example.com',
  AWS_REGION: 'us-east-1',
};

function requireTime(file: string): number {
  const script = `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});if(typeof m.handler!=='function')throw new Error('no handler export');process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;
  const times = Array.from({ length: RUNS }, () =>
    Number(
      execFileSync(process.execPath, ['-e', script], {
        env: { ...process.env, ...LAMBDA_ENV },
        encoding: 'utf8',
      }),
    ),
  );
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

export async function run({ progress, root }: { progress: (m: string) => void; root: string }) {
  const bare = path.join(mkdtempSync(path.join(tmpdir(), 'rez-bare-')), 'index.js');
  writeFileSync(bare, 'exports.handler = async () => ({ statusCode: 200 });\n');
  const bareMs = requireTime(bare);
  const rows = [];
  for (const name of ['scheduler', 'worker', 'web']) {
    const file = path.join(root, 'packages', name, 'dist', 'index.js');
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new Error(`${path.relative(root, file)} is missing: run \`npm run build\` first`);
    }
    progress(`${name}: ${(size / 1024).toFixed(0)} KiB`);
    const ms = requireTime(file);
    rows.push({ name: `${name} bundle size`, value: size / 1024, unit: 'KiB' });
    rows.push({
      name: `${name} bundle require() (median of ${RUNS})`,
      value: ms,
      unit: 'ms',
      baseline: { name: 'bare handler', value: bareMs },
      ratio: ms / bareMs,
    });
  }
  return rows;
}
