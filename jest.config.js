// Jest runs the suites as native ES modules (the @actions packages are ESM-only):
// `npm test` starts it with --experimental-vm-modules on the project's own Node 24.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.check.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  collectCoverageFrom: ['src/**/*.ts', '!src/*/index.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  testTimeout: 30000
}
