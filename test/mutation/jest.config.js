// Jest as Stryker runs it: the project's config, with only the test files of one mutation group.
import base from '../../jest.config.js';
import { mutationGroup } from './groups.ts';

export default {
  ...base,
  rootDir: '../..',
  testMatch: mutationGroup().tests.map((name) => `<rootDir>/test/${name}.test.ts`),
  // One PostgreSQL server per Stryker test process, kept across its many Jest runs.
  globalSetup: '<rootDir>/test/mutation/global-setup.ts',
  globalTeardown: '<rootDir>/test/mutation/global-teardown.ts',
  reporters: ['default'],
};
