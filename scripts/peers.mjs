#!/usr/bin/env node
// `npm run peers:build`, `npm run peers:ntfy`, `npm run peers:moto`: builds and
// starts the test peers that do not come from npm — the real ntfy server (Go)
// and moto's AWS emulator (Python) — cached under .peers/. The logic lives in
// test/peers/support (TypeScript, shared with the peer tests and the chaos
// run); this file only bundles it with esbuild, like bench/run.mjs, and runs it.
//
//   node scripts/peers.mjs build [ntfy] [moto]
//   node scripts/peers.mjs ntfy [--port N] [--burst N] [--replenish SECONDS] [--daily N]
//   node scripts/peers.mjs moto [--port N]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { nodeProgramOptions } from './bundle-options.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, '.peers', '.build', 'cli.js');

await build({
  entryPoints: [path.join(root, 'test', 'peers', 'support', 'cli.ts')],
  outfile,
  ...nodeProgramOptions(root),
});

const { main } = createRequire(import.meta.url)(outfile);
process.exitCode = await main(process.argv.slice(2));
