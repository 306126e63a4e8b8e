#!/usr/bin/env node
// Builds every deployable artifact with esbuild:
//   packages/{worker,scheduler,web}/dist/index.js  Lambda bundles (ES modules, node20 syntax,
//                                                   deployed on nodejs22.x), exporting `handler`,
//                                                   with the chunks they load on first use beside
//                                                   them (see bundle-options.mjs)
//   packages/local/dist/{start,cli,worker-thread}.js  the local runtime, the CLI, the runtime's worker thread
// Lambda bundles carry all their dependencies (nothing native ships beside
// them); the local runtime keeps third-party packages external (native
// better-sqlite3, ESM-only oidc-provider) and resolves them from node_modules.
//
// Each Lambda build also writes esbuild's metafile beside its dist, as
// packages/<name>/build-meta.json (git-ignored; dist is what ships, so the
// metafile stays out of it): infra/tests/iam-code.test.ts derives from it the
// AWS API calls each bundle can make. A chunk that nothing in the bundle
// imports (esbuild emits one for an import() inside code it then shook out)
// can never load, and is not shipped.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  dropUnreachableChunks,
  LAMBDA_PACKAGE_JSON,
  lambdaOptions,
  nodeProgramOptions,
} from './bundle-options.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (...args) => quiet || console.log(...args);

const targets = [
  {
    name: 'worker',
    entry: 'packages/worker/src/lambda.ts',
    outfile: 'packages/worker/dist/index.js',
    options: lambdaOptions(root),
    metafile: 'packages/worker/build-meta.json',
  },
  {
    name: 'scheduler',
    entry: 'packages/scheduler/src/lambda.ts',
    outfile: 'packages/scheduler/dist/index.js',
    options: lambdaOptions(root),
    metafile: 'packages/scheduler/build-meta.json',
  },
  {
    name: 'web',
    options: lambdaOptions(root),
    entry: 'packages/web/src/lambda.ts',
    outfile: 'packages/web/dist/index.js',
    metafile: 'packages/web/build-meta.json',
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
    options: nodeProgramOptions(root),
    // The console runs inside the local runtime: its views go beside the bundle too.
    copy: [['packages/web/src/views', 'packages/local/dist/views']],
  },
];

for (const target of targets) {
  const entries = target.entries ?? { index: target.entry };
  const outdir = path.join(root, target.outdir ?? path.dirname(target.outfile));
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    ...target.options,
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([name, file]) => [name, path.join(root, file)]),
    ),
    outdir,
    absWorkingDir: root,
    metafile: Boolean(target.metafile),
  });
  if (target.metafile) {
    const metafile = await dropUnreachableChunks(result.metafile, root, Object.values(entries));
    await writeFile(path.join(root, target.metafile), `${JSON.stringify(metafile, null, 1)}\n`);
  }
  if (target.options.format === 'esm')
    await writeFile(path.join(outdir, 'package.json'), LAMBDA_PACKAGE_JSON);
  for (const [from, to] of target.copy ?? []) {
    await cp(path.join(root, from), path.join(root, to), { recursive: true });
  }
  log(
    `built ${target.name}: ${Object.keys(entries)
      .map((n) => path.relative(root, path.join(outdir, `${n}.js`)))
      .join(', ')}`,
  );
}
