import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The repository root (this file is test/peers/support/processes.ts, or bundled under .peers/.build). */
export const REPO_ROOT = findRoot();

/**
 * Where built peers are cached, keyed by version: `.peers/` at the repository
 * root (git-ignored), or `REZ_PEERS_DIR`.
 */
export function peersDir(): string {
  return process.env.REZ_PEERS_DIR ? path.resolve(process.env.REZ_PEERS_DIR) : path.join(REPO_ROOT, '.peers');
}

/**
 * Runs a command to completion; rejects with its output when it exits
 * non-zero, unless `check` is false. A command still running after
 * `timeoutMs` (when given) is killed: its code is then null.
 */
export function run(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    echo?: boolean;
    check?: boolean;
    timeoutMs?: number;
  } = {},
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 || options.check === false) return resolve({ stdout, stderr, code });
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}:\n${output}`));
    });
  });
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A peer server running as a child process, its recent output kept for error messages. */
export interface PeerProcess {
  child: ChildProcess;
  /** The last lines it printed. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command` with its output captured (and echoed when `echo`). */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean } = {},
): PeerProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    if (options.echo) process.stderr.write(chunk);
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 400) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => lines.push(`cannot run ${command}: ${error.message}`));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    tail: (count = 20) => lines.slice(-count).join('\n'),
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `url` until it answers with `expectStatus` (any status when unset), the
 * process exits, or `timeoutMs` passes; the error names the peer and shows
 * what it printed.
 */
export async function waitForHttp(
  name: string,
  url: string,
  peer: PeerProcess,
  options: { timeoutMs?: number; expectStatus?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last = 'no answer yet';
  for (;;) {
    if (peer.child.exitCode !== null || peer.child.signalCode !== null) {
      throw new Error(
        `${name} exited (${peer.child.signalCode ?? peer.child.exitCode}) before it answered ${url}:\n${peer.tail()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (options.expectStatus === undefined || response.status === options.expectStatus) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      await peer.stop();
      throw new Error(`${name} did not answer ${url} in time (last: ${last}):\n${peer.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The nearest directory above this file whose package.json is the rez-agent root (works bundled too). */
function findRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === 'rez-agent') return dir;
    } catch {
      // no package.json here: keep climbing
    }
  }
  throw new Error(`cannot find the rez-agent root above ${__dirname}`);
}
