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
 * Lambda bundles are minified: half the size and about a fifth less require()
 * time at cold start (bench: bundles suite). keepNames keeps error class names.
 */
export const lambdaOptions = (root) => ({ ...commonOptions(root), minify: true, keepNames: true });
