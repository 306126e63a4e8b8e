#!/usr/bin/env node
// Builds every deployable artifact with esbuild:
//   packages/{worker,scheduler,web}/dist/index.js  Lambda bundles (ES modules, node20 syntax,
//                                                   deployed on nodejs22.x), exporting `handler`,
//                                                   with the chunks they load on first use beside
//                                                   them (see bundle-options.mjs)
//   packages/local/dist/{start,cli,worker-thread}.js  the local runtime, the CLI, the runtime's worker thread
// Lambda bundles carry all their dependencies; the local runtime keeps
// third-party packages external (native better-sqlite3, ESM-only
// oidc-provider) and resolves them from node_modules.
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { commonOptions, LAMBDA_PACKAGE_JSON, lambdaOptions } from './bundle-options.mjs';
import { externalThirdParty } from './external-third-party.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (...args) => quiet || console.log(...args);

const targets = [
  {
    name: 'worker',
    entry: 'packages/worker/src/lambda.ts',
    outfile: 'packages/worker/dist/index.js',
    options: lambdaOptions(root),
  },
  {
    name: 'scheduler',
    entry: 'packages/scheduler/src/lambda.ts',
    outfile: 'packages/scheduler/dist/index.js',
    options: lambdaOptions(root),
  },
  {
    name: 'web',
    options: lambdaOptions(root),
    entry: 'packages/web/src/lambda.ts',
    outfile: 'packages/web/dist/index.js',
    external: ['sodium-native'],
    // Native: shipped beside the bundle with its runtime dependencies (Linux builds only).
    ship: ['sodium-native'],
    copy: [['packages/web/src/views', 'packages/web/dist/views']],
  },
  {
    name: 'local',
    entries: {
      start: 'packages/local/src/start.ts',
      cli: 'packages/local/src/cli.ts',
      // The worker Lambda's handler, run by the runtime in a worker thread.
      'worker-thread': 'packages/local/src/worker-thread/thread.ts',
    },
    outdir: 'packages/local/dist',
    options: commonOptions(root),
    plugins: [externalThirdParty],
    // The console runs inside the local runtime: its views go beside the bundle too.
    copy: [['packages/web/src/views', 'packages/local/dist/views']],
  },
];

/**
 * Copies `names` and their production dependencies from node_modules into
 * `dest`/node_modules, keeping only the Linux prebuilds of native addons
 * (Lambda runs Linux on x64 or arm64).
 */
async function ship(names, dest) {
  const seen = new Set();
  // Node's own lookup, without require.resolve (some packages do not export package.json).
  const locate = async (name, fromDir) => {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      if (await exists(path.join(candidate, 'package.json'))) return candidate;
      if (dir === path.dirname(dir)) throw new Error(`cannot find ${name} from ${fromDir}`);
    }
  };
  const visit = async (name, fromDir) => {
    if (seen.has(name)) return;
    seen.add(name);
    const dir = await locate(name, fromDir);
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    await cp(dir, path.join(dest, 'node_modules', name), {
      recursive: true,
      filter: (src) => {
        const rel = path.relative(dir, src).split(path.sep);
        if (rel[0] === 'node_modules') return false;
        return !(rel[0] === 'prebuilds' && rel[1] && !rel[1].startsWith('linux-'));
      },
    });
    for (const dep of Object.keys(pkg.dependencies ?? {})) await visit(dep, dir);
  };
  for (const name of names) await visit(name, root);
  return [...seen];
}

const exists = (p) =>
  stat(path.resolve(root, p)).then(
    () => true,
    () => false,
  );

for (const target of targets) {
  const entries = target.entries ?? { index: target.entry };
  const outdir = path.join(root, target.outdir ?? path.dirname(target.outfile));
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build({
    ...target.options,
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([name, file]) => [name, path.join(root, file)]),
    ),
    outdir,
    external: target.external ?? [],
    plugins: target.plugins ?? [],
  });
  if (target.options.format === 'esm')
    await writeFile(path.join(outdir, 'package.json'), LAMBDA_PACKAGE_JSON);
  if (target.ship) log(`  shipped beside ${target.name}: ${(await ship(target.ship, outdir)).join(', ')}`);
  for (const [from, to] of target.copy ?? []) {
    await cp(path.join(root, from), path.join(root, to), { recursive: true });
  }
  log(
    `built ${target.name}: ${Object.keys(entries)
      .map((n) => path.relative(root, path.join(outdir, `${n}.js`)))
      .join(', ')}`,
  );
}
