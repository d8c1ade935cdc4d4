/** Unit tests run in parallel; integration tests share one Temporal dev server and one nats-server
 * started by the global setup, and run in band (see scripts/test.sh). */
const setupFiles = ['<rootDir>/test/support/quiet-runtime.ts'];
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];
// jose (JWT verification) ships as ES modules only. Node loads it with require(esm); jest's own module
// loader cannot, so its files are compiled to CommonJS like ours.
const ESM_PACKAGES = ['jose'];
const transform = { '^.+\\.(ts|js)$': swc };
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`];
const common = { testEnvironment: 'node', transform, transformIgnorePatterns, setupFiles };
module.exports = {
  testTimeout: 120000,
  projects: [
    { displayName: 'unit', ...common, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'integration',
      ...common,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      displayName: 'record',
      ...common,
      testMatch: ['<rootDir>/test/record/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
