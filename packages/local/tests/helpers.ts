import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../../test/peers/support/processes';

export { freePort };

/** A fresh directory under the OS temp dir, and a function that removes it. */
export function tempDir(prefix = 'rez-local-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const root = path.resolve(__dirname, '../../..');
export const START_JS = path.join(root, 'packages/local/dist/start.js');
export const CLI_JS = path.join(root, 'packages/local/dist/cli.js');

/**
 * Starts `node packages/local/dist/start.js` and resolves once it printed
 * `rez: ready`. Without a PORT in `env`, the console gets a free one, so
 * runtimes in parallel test workers never collide on 3000.
 */
export async function startRuntimeProcess(
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<{ child: ChildProcess; output: () => string; port: number }> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [START_JS], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`runtime not ready in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      if (/^rez: ready$/m.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve({ child, output: () => output, port });
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited with ${code} before ready:\n${output}`));
    });
  });
}

/** Runs the built CLI synchronously. */
export function runCliProcess(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [CLI_JS, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Resolves when the child has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
