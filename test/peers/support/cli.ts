/**
 * `node scripts/peers.mjs <command>`: builds and starts the test peers that
 * are not npm packages (see README, "Tests").
 *
 *   build [ntfy] [moto]   build or reuse them (both when none is named)
 *   ntfy [--port N] [--burst N] [--replenish SECONDS] [--daily N]
 *                         run the real ntfy on 127.0.0.1 until Ctrl-C
 *   moto [--port N]       run moto_server on 127.0.0.1 until Ctrl-C
 *
 * `REZ_PEERS_OPTIONAL=ntfy` lets `build` go on without the real ntfy when it
 * cannot be had (the peer tests then say so and skip its contract run).
 */
import { parseArgs } from 'node:util';
import { installMoto, MOTO_VERSION, startMoto } from './moto-peer';
import { buildNtfy, NTFY_MODULE, NTFY_SH_LIMITS, NTFY_VERSION, startRealNtfy } from './ntfy-peer';

const say = (line: string) => process.stderr.write(`peers: ${line}\n`);

/** Names of the peers that may be missing (REZ_PEERS_OPTIONAL, comma-separated). */
export function optionalPeers(): Set<string> {
  return new Set(
    (process.env.REZ_PEERS_OPTIONAL ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'build') return build(rest.length ? rest : ['ntfy', 'moto']);
  if (command === 'ntfy') return serveNtfy(rest);
  if (command === 'moto') return serveMoto(rest);
  say(`unknown command "${command ?? ''}": use build, ntfy or moto`);
  return 2;
}

async function build(names: string[]): Promise<number> {
  let failed = 0;
  for (const name of names) {
    const started = Date.now();
    try {
      if (name === 'ntfy') {
        const binary = await buildNtfy(say);
        say(`ntfy ${NTFY_VERSION}: ${binary} (${seconds(started)})`);
      } else if (name === 'moto') {
        const bin = await installMoto(say);
        say(`moto ${MOTO_VERSION}: ${bin} (${seconds(started)})`);
      } else {
        say(`unknown peer "${name}": use ntfy or moto`);
        failed++;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (optionalPeers().has(name)) {
        say(`${name}: NOT AVAILABLE, going on without it (REZ_PEERS_OPTIONAL): ${reason}`);
      } else {
        say(`${name}: FAILED: ${reason}`);
        failed++;
      }
    }
  }
  return failed ? 1 : 0;
}

async function serveNtfy(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      burst: { type: 'string', default: String(NTFY_SH_LIMITS.requestBurst) },
      replenish: { type: 'string', default: String(NTFY_SH_LIMITS.requestReplenishSeconds) },
      daily: { type: 'string', default: String(NTFY_SH_LIMITS.messagesPerDay) },
    },
  });
  const number = (name: string, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
    return n;
  };
  const ntfy = await startRealNtfy({
    port: values.port === undefined ? undefined : number('port', values.port),
    limits: {
      requestBurst: number('burst', values.burst),
      requestReplenishSeconds: number('replenish', values.replenish),
      messagesPerDay: number('daily', values.daily),
    },
  });
  const { requestBurst, requestReplenishSeconds, messagesPerDay } = ntfy.limits;
  console.log(`ntfy ${ntfy.version} (${NTFY_MODULE}) on ${ntfy.url}`);
  console.log(`  cache on; auth on, anonymous access denied; files in ${ntfy.dir}`);
  console.log(`  read-write token: ${ntfy.tokens.readWrite}`);
  console.log(`  write-only token: ${ntfy.tokens.writeOnly}`);
  console.log(
    `  limits per client IP: ${requestBurst} requests at once, then 1 per ${requestReplenishSeconds} s; ${messagesPerDay} messages a day`,
  );
  console.log(`  try: NTFY_BASE_URL=${ntfy.url} NTFY_TOKEN=${ntfy.tokens.readWrite} npm start`);
  console.log('Ctrl-C stops it.');
  await untilSignal();
  await ntfy.stop();
  return 0;
}

async function serveMoto(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } } });
  const moto = await startMoto({ port: values.port === undefined ? undefined : Number(values.port) });
  console.log(
    `moto_server ${MOTO_VERSION} on ${moto.endpoint} (any credentials, e.g. AWS_ACCESS_KEY_ID=test)`,
  );
  console.log('Ctrl-C stops it.');
  await untilSignal();
  await moto.stop();
  return 0;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
