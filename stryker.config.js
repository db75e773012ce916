// Mutation testing of the money- and security-critical code, one group of files at a time
// (test/mutation/groups.js): `npm run mutation`. Not part of CI; see README "Mutation testing".
import { mutationGroup } from './test/mutation/groups.ts';

const group = mutationGroup();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  // Jest runs as native ES modules, as in `npm test`.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { configFile: 'test/mutation/jest.config.js', enableFindRelatedTests: true },
  // Each mutant runs only the tests that cover it.
  coverageAnalysis: 'perTest',
  mutate: group.mutate(),
  // The data and reports of earlier runs, and the sandboxes of runs beside this one, stay out of the sandbox.
  ignorePatterns: ['.data', 'coverage', 'reports', 'bench/results', 'test-results', '.stryker-tmp*'],
  // Two test processes share the machine's cores with the databases and Temporal they start.
  concurrency: 2,
  // On top of a run's usual time (its tests and its overhead, as the first run measured them). A
  // mutant that makes a test wait for ever counts as detected (a timeout) and costs this long, but
  // a short limit turns merely slow runs into false timeouts when the machine is busy: a file that
  // starts the services took 34 s instead of 12 s with three other test runs beside it.
  timeoutMS: 60_000,
  timeoutFactor: 2,
  thresholds: { high: 90, low: 80, break: null },
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${group.name}.json` },
  htmlReporter: { fileName: `reports/mutation/${group.name}.html` },
  // A later run re-tests only the mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: `reports/mutation/${group.name}.incremental.json`,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
