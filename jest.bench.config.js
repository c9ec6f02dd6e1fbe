/**
 * The benchmark harness's test (`npm run bench -- --quick` end to end), run on its own after the
 * rest of the suite so that no other test file competes with it for the machine's two cores.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['<rootDir>/test/bench.e2e.test.ts'],
};
