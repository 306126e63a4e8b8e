import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, peersDir, run, startProcess, waitForHttp } from './processes';

/** moto's server (an AWS emulator) from PyPI, at this release, for the AWS APIs fauxqs and dynalite lack. */
export const MOTO_VERSION = '5.2.5';

export interface Moto {
  /** http://127.0.0.1:<port>: give it to an AWS SDK client as `endpoint`. */
  endpoint: string;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

/** The virtualenv that holds moto[server] at {@link MOTO_VERSION}. */
export function motoVenv(): string {
  return path.join(peersDir(), 'moto', MOTO_VERSION, 'venv');
}

/** Written last by a finished install: a venv without it is a broken one, made again. */
const INSTALLED = '.rez-installed';

/** The cached `moto_server`, or undefined before {@link installMoto} finished. */
export function findMotoServer(): string | undefined {
  const venv = motoVenv();
  return existsSync(path.join(venv, INSTALLED)) ? path.join(venv, 'bin', 'moto_server') : undefined;
}

/**
 * Returns `moto_server`, installing it first when there is none:
 * `pip install moto[server]==<version>` into a virtualenv under
 * `.peers/moto/<version>/`, made with `python3 -m venv` (or `REZ_PYTHON`).
 */
export async function installMoto(log: (line: string) => void = () => {}): Promise<string> {
  const found = findMotoServer();
  if (found) return found;
  const venv = motoVenv();
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(path.dirname(venv), { recursive: true });
  const python = process.env.REZ_PYTHON ?? 'python3';
  log(`moto: creating a virtualenv with ${python}`);
  await run(python, ['-m', 'venv', venv]).catch((error: Error) => {
    throw new Error(
      `the moto peer needs Python 3 with venv (set REZ_PYTHON to choose one): ${error.message}`,
    );
  });
  log(`moto: pip install moto[server]==${MOTO_VERSION}`);
  await run(
    path.join(venv, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`],
    { env: { ...process.env, PIP_NO_INPUT: '1' } },
  );
  writeFileSync(path.join(venv, INSTALLED), `moto[server]==${MOTO_VERSION}\n`);
  log(`moto: installed ${venv}`);
  return path.join(venv, 'bin', 'moto_server');
}

/**
 * Starts `moto_server` on 127.0.0.1 on a free port and waits until it answers.
 * One server emulates every service (CloudWatch, SQS, SSM, EventBridge
 * Scheduler, …) on the same endpoint, with any credentials; state lives
 * until stop().
 *
 * @example
 * const moto = await startMoto();
 * const cloudwatch = new CloudWatchClient({ endpoint: moto.endpoint, region: 'us-east-1' });
 */
export async function startMoto(options: { port?: number; echo?: boolean } = {}): Promise<Moto> {
  const bin = findMotoServer();
  if (!bin) throw new Error('moto is not installed: run `npm run peers:build`');
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const server = startProcess(bin, ['-H', '127.0.0.1', '-p', String(port)], { echo: options.echo });
  await waitForHttp('moto_server', `${endpoint}/moto-api/`, server, { expectStatus: 200 });
  return { endpoint, tail: server.tail, stop: () => server.stop() };
}
