/**
 * The esbuild options every bundle is built with, in one place: the deployed
 * handlers (scripts/build.mjs) and the plain worker the bundles bench
 * measures them against (bench/suites/bundles.ts), so the two compare like
 * with like. `root` is the repository root (for tsconfig's @rez/* paths).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { externalThirdParty } from './external-third-party.mjs';

/** Options shared by every bundle: Lambdas and the local runtime. */
export const commonOptions = (root) => ({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  mainFields: ['module', 'main'],
  sourcemap: 'linked',
  legalComments: 'none',
  tsconfig: path.join(root, 'tsconfig.base.json'),
  logLevel: 'warning',
});

/**
 * Programs run from this checkout with its node_modules (the local runtime, the
 * bench, the chaos run, the peer tools): CommonJS, third-party packages left
 * external and resolved at run time (native better-sqlite3, ESM-only
 * oidc-provider).
 */
export const nodeProgramOptions = (root) => ({ ...commonOptions(root), plugins: [externalThirdParty] });

/**
 * CommonJS dependencies bundled into an ES module still call require() and
 * read __dirname (our views lookup does too): each output file defines them.
 */
const ESM_PRELUDE = [
  "import { createRequire as __rezCreateRequire } from 'node:module';",
  "import { dirname as __rezDirname } from 'node:path';",
  "import { fileURLToPath as __rezFileURLToPath } from 'node:url';",
  'const require = __rezCreateRequire(import.meta.url);',
  'const __filename = __rezFileURLToPath(import.meta.url);',
  'const __dirname = __rezDirname(__filename);',
].join('\n');

/**
 * Lambda bundles: ES modules with code splitting, minified. What a handler
 * imports with `import()` (the AWS adapters and their SDK clients) goes into
 * chunks of its own that load on first use, so a cold start parses and runs
 * only what the handler needs at once (bench: bundles suite). The entry is
 * index.js beside a package.json that says "type": "module", which the Lambda
 * Node.js runtime reads to load it as an ES module. The SDK's credential chain
 * is cut down to the environment variables Lambda sets (see
 * packages/aws/src/lambda-credentials.ts). keepNames keeps error class names.
 */
export const lambdaOptions = (root) => ({
  ...commonOptions(root),
  // Lambda hands a function its role's credentials in environment variables: the SDK's
  // full default chain (SSO, config files, web identity, …) is dead weight there.
  alias: { '@aws-sdk/credential-provider-node': path.join(root, 'packages/aws/src/lambda-credentials.ts') },
  format: 'esm',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  banner: { js: ESM_PRELUDE },
  minify: true,
  keepNames: true,
});

/** The package.json written beside a Lambda bundle: its .js files are ES modules. */
export const LAMBDA_PACKAGE_JSON = `${JSON.stringify({ type: 'module' })}\n`;

/**
 * Deletes the output files of a build (`metafile: true`, paths relative to
 * `root`) that none of its `entryPoints` (source files) reaches through its static and dynamic imports, with
 * their source maps, and returns the metafile without them. esbuild writes a
 * chunk for every import() it parses, also one inside code it then shook
 * out; nothing can load such a chunk, so a Lambda need not ship it.
 */
export async function dropUnreachableChunks(metafile, root, entryPoints) {
  const outputs = metafile.outputs;
  const reached = new Set();
  // Every import() target is an entryPoint in the metafile too: start from the build's own entries.
  const entries = new Set(entryPoints.map((file) => path.relative(root, path.resolve(root, file))));
  const pending = Object.keys(outputs).filter((file) => entries.has(outputs[file].entryPoint));
  while (pending.length > 0) {
    const file = pending.pop();
    if (reached.has(file)) continue;
    reached.add(file);
    for (const { path: imported, external } of outputs[file].imports) {
      if (!external && outputs[imported]) pending.push(imported);
    }
  }
  const kept = {};
  for (const [file, output] of Object.entries(outputs)) {
    const owner = file.endsWith('.map') ? file.slice(0, -'.map'.length) : file;
    if (reached.has(owner)) kept[file] = output;
    else await rm(path.join(root, file), { force: true });
  }
  return { ...metafile, outputs: kept };
}
