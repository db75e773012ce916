// Tests run as native ES modules (MikroORM 7 is ESM-only); @swc/jest strips types only.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } }],
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testSequencer: '<rootDir>/test/jest/shuffled-sequencer.js',
  reporters: ['default', '<rootDir>/test/jest/slowest-files-reporter.js'],
  testTimeout: 60_000,
  // Each checkout its own cache: a `--clearCache` elsewhere (say, in another worktree) cannot pull
  // transformed files from under this run.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};
