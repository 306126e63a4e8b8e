import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The Lambda packages whose built bundles the program ships. */
export type BundleName = 'worker' | 'scheduler' | 'web';

/**
 * Where the bundles live: `packages/` at the repository root, or
 * `REZ_BUNDLE_ROOT` (tests point it at a folder of stub bundles).
 */
export function bundleRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.REZ_BUNDLE_ROOT ? path.resolve(env.REZ_BUNDLE_ROOT) : path.resolve(__dirname, '..', 'packages');
}

/** `<root>/<name>/dist`: the folder `npm run build` writes, shipped whole (the web bundle carries its views). */
export function bundlePath(name: BundleName, root: string = bundleRoot()): string {
  return path.join(root, name, 'dist');
}

/** The bundle folder, or an error that says to build first when its `index.js` is missing. */
export function requireBundle(name: BundleName, root: string = bundleRoot()): string {
  const dir = bundlePath(name, root);
  const entry = path.join(dir, 'index.js');
  if (!existsSync(entry)) {
    throw new Error(
      `The ${name} Lambda bundle is missing: ${entry} does not exist. Run \`npm run build\` first; it writes packages/${name}/dist.`,
    );
  }
  return dir;
}
