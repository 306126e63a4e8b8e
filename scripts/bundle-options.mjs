/**
 * The esbuild options every bundle is built with, in one place: the deployed
 * handlers (scripts/build.mjs) and the plain worker the bundles bench
 * measures them against (bench/suites/bundles.ts), so the two compare like
 * with like. `root` is the repository root (for tsconfig's @rez/* paths).
 */
import path from 'node:path';

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
