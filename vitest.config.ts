import { defineConfig } from 'vitest/config'

/**
 * The policy-boundary check (tests/policy-boundary.test.ts; also `npx tsx tests/support/policy-grep.ts`).
 * TODO(lead, issue 8): it still finds comparisons in modules being reshaped in parallel
 * (server/modules/regions/commands.ts, server/modules/panels/access.ts, server/modules/documents/access.ts,
 * server/collab/presence.ts, app/routes/regio.$region.beheer.leden.tsx). Once those branches are merged and it passes, drop the
 * condition so that every run, CI's too, includes it. Until then: POLICY_BOUNDARY=1 npx vitest run tests/policy-boundary.test.ts
 */
const policyBoundary = process.env.POLICY_BOUNDARY === '1' ? ['tests/policy-boundary.test.ts'] : []

/** Tests run without the Remix plugin; the integration and e2e suites use the production build. */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'db/**/*.test.ts', 'app/**/*.test.ts', ...policyBoundary],
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
