import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NtfyLimits } from '@rez/core/testing';
import { freePort, peersDir, run, startProcess, waitForHttp } from './processes';

/** The real ntfy server the peer tests run: this Go module at this release. */
export const NTFY_MODULE = 'heckel.io/ntfy/v2';
export const NTFY_VERSION = 'v2.13.0';

/** ntfy.sh's free tier, the default here: 60 at once, then one per 5 s, 250 messages a day. */
export const NTFY_SH_LIMITS: NtfyLimits = {
  requestBurst: 60,
  requestReplenishSeconds: 5,
  messagesPerDay: 250,
};

export interface RealNtfy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** What the server says it is, e.g. "2.13.0". */
  version: string;
  /** Tokens of two users: one may read and write every topic, the other only write. */
  tokens: { readWrite: string; writeOnly: string };
  limits: NtfyLimits;
  /** Files the server keeps (server.yml, cache.db, auth.db); removed by stop(). */
  dir: string;
  /** What the server printed last. */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

/** The cached binary of the pinned release. */
export function cachedNtfyPath(): string {
  return path.join(peersDir(), 'ntfy', NTFY_VERSION, 'ntfy');
}

/**
 * The ntfy binary to run: `REZ_NTFY_BIN` when set (an ntfy you built or
 * installed yourself), else the cached build of {@link NTFY_VERSION};
 * undefined when there is neither.
 */
export function findNtfyBinary(): string | undefined {
  const fromEnv = process.env.REZ_NTFY_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`REZ_NTFY_BIN names ${fromEnv}, which does not exist`);
    return path.resolve(fromEnv);
  }
  return existsSync(cachedNtfyPath()) ? cachedNtfyPath() : undefined;
}

/**
 * Returns the ntfy binary, building it first when there is none: the module
 * {@link NTFY_MODULE} at {@link NTFY_VERSION} comes through the Go module
 * proxy (`go mod download`), is copied out of the read-only module cache, and
 * gets the two placeholder files that ntfy's own `make cli-deps-static-sites`
 * creates (the web app and the docs are built with npm and mkdocs, and are not
 * in the module, but `go:embed` needs the folders). The binary is cached
 * under `.peers/ntfy/<version>/`, so the next call takes no time.
 */
export async function buildNtfy(log: (line: string) => void = () => {}): Promise<string> {
  const found = findNtfyBinary();
  if (found) return found;
  const target = cachedNtfyPath();
  const home = path.dirname(target);
  mkdirSync(home, { recursive: true });
  await run('go', ['version']).catch((error: Error) => {
    throw new Error(`building ntfy needs Go (https://go.dev/dl): ${error.message}`);
  });
  log(`ntfy: downloading ${NTFY_MODULE}@${NTFY_VERSION} through the Go module proxy`);
  // Exits non-zero on failure, still printing its JSON with the reason in `Error`.
  const download = await run('go', ['mod', 'download', '-json', `${NTFY_MODULE}@${NTFY_VERSION}`], {
    cwd: home,
    check: false,
  });
  let module: { Dir?: string; Error?: string };
  try {
    module = JSON.parse(download.stdout);
  } catch {
    module = { Error: `${download.stdout}${download.stderr}`.trim() || `go exited with ${download.code}` };
  }
  if (module.Error || !module.Dir) {
    throw new Error(
      `the Go module proxy did not serve ${NTFY_MODULE}@${NTFY_VERSION}: ${module.Error ?? 'no module directory'}`,
    );
  }
  const source = mkdtempSync(path.join(home, 'src-'));
  try {
    cpSync(module.Dir, source, { recursive: true });
    await run('chmod', ['-R', 'u+w', source]);
    for (const [dir, file] of [
      ['server/site', 'app.html'],
      ['server/docs', 'index.html'],
    ]) {
      mkdirSync(path.join(source, dir), { recursive: true });
      writeFileSync(path.join(source, dir, file), '');
    }
    log(`ntfy: building ${NTFY_VERSION} (cgo, SQLite; a few minutes the first time)`);
    const partial = `${target}.partial`;
    await run(
      'go',
      [
        'build',
        '-trimpath',
        '-tags',
        'sqlite_omit_load_extension,osusergo,netgo',
        '-ldflags',
        `-s -w -X main.version=${NTFY_VERSION.slice(1)}`,
        '-o',
        partial,
        '.',
      ],
      { cwd: source, env: { ...process.env, CGO_ENABLED: '1' } },
    );
    chmodSync(partial, 0o755);
    renameSync(partial, target);
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
  log(`ntfy: built ${target}`);
  return target;
}

/**
 * Starts the real ntfy on 127.0.0.1 with a config of ours: message cache on,
 * auth on with `auth-default-access: deny-all`, a read-write and a write-only
 * user with one token each (access to every topic), and the given rate
 * limits (ntfy.sh's free tier unless told). Attachments, the web app, signup
 * and login are off. Resolves once it answers and the tokens work.
 *
 * @example
 * const ntfy = await startRealNtfy({ limits: { requestBurst: 5 } });
 * const client = new NtfyClient({ baseUrl: ntfy.url, topic: 'rez-t', token: ntfy.tokens.readWrite });
 */
export async function startRealNtfy(
  options: { limits?: Partial<NtfyLimits>; binary?: string; port?: number; echo?: boolean } = {},
): Promise<RealNtfy> {
  const binary = options.binary ?? findNtfyBinary();
  if (!binary) {
    throw new Error(
      `no ntfy binary: run \`npm run peers:build\` (or set REZ_NTFY_BIN to an ntfy ${NTFY_VERSION})`,
    );
  }
  const limits = { ...NTFY_SH_LIMITS, ...options.limits };
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'rez-ntfy-'));
  const config = path.join(dir, 'server.yml');
  const settings: Record<string, string | number | boolean> = {
    'base-url': url,
    'listen-http': `127.0.0.1:${port}`,
    'cache-file': path.join(dir, 'cache.db'),
    'auth-file': path.join(dir, 'auth.db'),
    'auth-default-access': 'deny-all',
    'web-root': 'disable',
    'enable-signup': false,
    'enable-login': false,
    'visitor-request-limit-burst': limits.requestBurst,
    'visitor-request-limit-replenish': `${limits.requestReplenishSeconds}s`,
    'visitor-message-daily-limit': limits.messagesPerDay,
  };
  // JSON strings are YAML strings: no quoting rules of our own.
  writeFileSync(
    config,
    Object.entries(settings)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join('\n'),
  );
  const server = startProcess(binary, ['serve', '--config', config], { echo: options.echo });
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp('ntfy', `${url}/v1/health`, server, { expectStatus: 200 });
    // ntfy's admin commands work on the auth file the server made at its start.
    const admin = (command: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
      run(binary, [command, '--config', config, ...args], { env: { ...process.env, ...env } });
    const addUser = async (name: string, permission: 'read-write' | 'write-only') => {
      await admin('user', ['add', name], { NTFY_PASSWORD: randomBytes(12).toString('hex') });
      await admin('access', [name, '*', permission]);
      const { stdout, stderr } = await admin('token', ['add', name]);
      const token = /\b(tk_[A-Za-z0-9]+)\b/.exec(stdout + stderr)?.[1];
      if (!token) throw new Error(`ntfy token add ${name} printed no token: ${stdout}${stderr}`);
      return token;
    };
    const tokens = {
      readWrite: await addUser('rez-rw', 'read-write'),
      writeOnly: await addUser('rez-wo', 'write-only'),
    };
    const version = /\bntfy (\d+\.\d+\.\d+)/.exec(server.tail(50))?.[1] ?? 'unknown version';
    return { url, version, tokens, limits, dir, tail: server.tail, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
