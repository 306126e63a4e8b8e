/**
 * `npm run test:peers`: the tests that need the peers built by
 * `npm run peers:build` (scripts/peers.mjs) — the real ntfy server, against
 * which the ntfy contract suite runs, and moto's AWS emulator, for the AWS
 * APIs fauxqs and dynalite do not serve. Same transform and module map as
 * jest.config.js; `npm test` never runs these (they match no pattern there).
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/peers'],
  testMatch: ['<rootDir>/test/peers/**/*.peer.ts'],
  globalSetup: '<rootDir>/test/peers/global-setup.ts',
  globalTeardown: '<rootDir>/test/peers/global-teardown.ts',
};
