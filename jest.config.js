/**
 * One Jest run for the whole monorepo. ts-jest transpiles (type checking is
 * `npm run typecheck`), `@rez/*` resolves to each package's source, and the
 * real peers the tests talk to (fauxqs, dynalite, oidc-provider) are started
 * once in globalSetup, on 127.0.0.1.
 */
const packages = ['core', 'aws', 'scheduler', 'worker', 'web', 'local'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/infra', '<rootDir>/test'],
  testMatch: ['**/tests/**/*.test.ts', '<rootDir>/infra/tests/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
  },
  moduleNameMapper: {
    '^@rez/core/testing$': '<rootDir>/packages/core/testing/index.ts',
    '^@rez/web/testing$': '<rootDir>/packages/web/testing/index.ts',
    '^@rez/aws/((queue-|worker-queue-|metrics-|secrets-|schedules-|schedule-runs-)?from-env)$':
      '<rootDir>/packages/aws/src/$1.ts',
    ...Object.fromEntries(packages.map((p) => [`^@rez/${p}$`, `<rootDir>/packages/${p}/src/index.ts`])),
  },
  modulePathIgnorePatterns: ['<rootDir>/packages/.*/dist', '<rootDir>/bench/results'],
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  testTimeout: 30000,
  maxWorkers: 2,
};
