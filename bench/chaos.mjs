#!/usr/bin/env node
// `npm run chaos`: a bounded fault-injection run against the local runtime in a
// child process (see bench/chaos/main.ts). This file only bundles the .ts
// sources with esbuild, like bench/run.mjs does, and runs them.
//
//   npm run chaos -- --messages 10000 --kills 5 [--seed N] [--timeout SECONDS] [--real-ntfy]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { nodeProgramOptions } from '../scripts/bundle-options.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const outdir = path.join(here, '.build', 'chaos');

await build({
  entryPoints: {
    main: path.join(here, 'chaos', 'main.ts'),
    'runtime-child': path.join(here, 'chaos', 'runtime-child.ts'),
  },
  outdir,
  ...nodeProgramOptions(root),
  sourcemap: 'inline',
});

const { runChaos } = createRequire(import.meta.url)(path.join(outdir, 'main.js'));
process.exitCode = await runChaos(process.argv.slice(2), {
  childEntry: path.join(outdir, 'runtime-child.js'),
});
