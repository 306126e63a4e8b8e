/**
 * The dependency rule from ARCHITECTURE.md, checked in CI (`npm run deps:check`):
 * the domain imports no adapter or framework, packages import each other only
 * down the list core ← aws ← scheduler/worker/web ← local, and nothing forms a cycle.
 */
const pkg = (name) => `^packages/${name}/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-is-pure',
      comment: 'The domain imports neither the AWS SDK, Fastify, SQLite nor any other Rez package.',
      severity: 'error',
      from: { path: pkg('core') },
      to: {
        path: [
          '@aws-sdk',
          '@aws-lambda-powertools',
          'fastify',
          'better-sqlite3',
          'oidc-provider',
          '^packages/(?!core/)',
        ],
      },
    },
    {
      name: 'aws-imports-only-core',
      severity: 'error',
      from: { path: pkg('aws') },
      to: { path: '^packages/(?!(core|aws)/)' },
    },
    {
      name: 'lambdas-import-core-and-aws',
      severity: 'error',
      from: { path: '^packages/(scheduler|worker|web)/' },
      to: {
        path: ['^packages/(local|scheduler|worker|web)/', 'better-sqlite3', 'oidc-provider'],
        pathNot: '^packages/$1/',
      },
    },
    {
      name: 'web-not-in-lambda-handlers',
      severity: 'error',
      from: { path: '^packages/(scheduler|worker)/' },
      to: { path: ['fastify', '^packages/web/'] },
    },
    {
      name: 'infra-reads-core-and-aws-only',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^packages/(?!(core|aws)/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)dist/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
