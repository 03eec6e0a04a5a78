import { defineConfig } from 'vitest/config'


/** Tests run without the Remix plugin; the integration and e2e suites use the production build. */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // tests/policy-boundary.test.ts: no role or kind comparison outside server/policy (ADR 0017).
          include: ['server/**/*.test.ts', 'db/**/*.test.ts', 'app/**/*.test.ts', 'tests/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
