/**
 * No package is bundled twice into a Lambda: two copies of one library (two
 * versions npm could not hoist together) are parsed and run at every cold
 * start for nothing. It happened once: Powertools Logger and Metrics 2.36
 * beside Batch 2.35 each brought their own @aws-lambda-powertools/commons
 * into the worker's eager code. Read from the metafile of the real build
 * (see bundle-actions.ts readBuild).
 */
import { readBuild } from './bundle-actions';
import { REPO_ROOT } from './harness';

/**
 * Copies known and left, per bundle, with why: each must still be there
 * (the test says so when one is gone, so the list stays true).
 */
const KNOWN: Record<string, Record<string, string>> = {
  web: {
    'fast-uri':
      "ajv 8 (fastify's, and a root dev dependency for the devcontainer schema test) wants fast-uri 3 and " +
      "is hoisted with it; fastify 5's ajv-compiler and fast-json-stringify want 4, and each gets its own copy",
    'process-warning':
      'light-my-request is pinned to 6.6.0 (Jest on Node 20 cannot load cookie@2), which wants process-warning 4; fastify 5 wants 5',
  },
};

/** Package name → the node_modules folders it was bundled from (with bytes in the output). */
function bundledPackages(fn: string): Map<string, Set<string>> {
  const { metafile } = readBuild(REPO_ROOT, fn);
  const found = new Map<string, Set<string>>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput === 0) continue;
      const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
      if (!match) continue;
      const [, folder, name] = match;
      found.set(name, (found.get(name) ?? new Set()).add(folder));
    }
  }
  return found;
}

describe.each(['worker', 'scheduler', 'web'])('The %s bundle', (fn) => {
  it('holds one copy of each package (or one it knows and says why)', () => {
    const twice = [...bundledPackages(fn)]
      .filter(([, folders]) => folders.size > 1)
      .map(([name, folders]) => `${name}: ${[...folders].sort().join(', ')}`);
    const known = KNOWN[fn] ?? {};
    const unexplained = twice.filter((line) => !(line.split(':')[0] in known));
    const gone = Object.keys(known).filter((name) => !twice.some((line) => line.startsWith(`${name}:`)));
    expect({ unexplained, gone }).toEqual({ unexplained: [], gone: [] });
  });
});
