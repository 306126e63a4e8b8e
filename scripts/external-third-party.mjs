/**
 * esbuild plugin: keeps every bare import except our own workspace packages
 * (and Node's builtins) out of the bundle, to be resolved from node_modules at
 * run time. Used by the local runtime's build, the bench and the chaos run.
 */
export const externalThirdParty = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@rez/') || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};
