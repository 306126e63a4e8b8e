import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const START = path.resolve(__dirname, '../../packages/local/dist/start.js');
export const CLI = path.resolve(__dirname, '../../packages/local/dist/cli.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningRuntime {
  child: ChildProcess;
  dataDir: string;
  port: number;
  url: string;
  /** Everything it printed so far. */
  output(): string;
  /** The development sign-in account it printed. */
  account(): { email: string; password: string };
  stop(): Promise<number | null>;
}

/**
 * `npm start` as a new user runs it: the built runtime in its own process,
 * a fresh data dir, resolved once it prints `rez: ready`.
 */
export async function startRuntime(env: Record<string, string>, timeoutMs = 30_000): Promise<RunningRuntime> {
  if (!existsSync(START)) throw new Error(`${START} is missing: run \`npm run build\` (npm test does) first`);
  const dataDir = env.REZ_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'rez-e2e-'));
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [START], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      REZ_DATA_DIR: dataDir,
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    out += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`runtime not ready in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const check = () => {
      if (/^rez: ready$/m.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited with ${code} before ready:\n${out}`));
    });
  });
  return {
    child,
    dataDir,
    port,
    url: `http://localhost:${port}`,
    output: () => out,
    account: () => {
      const match = /development account (\S+) \/ (\S+)/.exec(out);
      if (!match) throw new Error(`no development account in the runtime's output:\n${out}`);
      return { email: match[1], password: match[2] };
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
