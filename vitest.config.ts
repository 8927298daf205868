// One vitest run over every package: unit tests sit beside the code, cross-package suites in tests/<category>.
// Property tests (fast-check) share one seed per run: fixed under CI, random otherwise (tests/setup/property-seed.ts).
import { defineConfig } from 'vitest/config';

const setupFiles = ['tests/setup/apply-property-seed.ts'];

export default defineConfig({
  test: {
    globalSetup: ['tests/setup/property-seed.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tools/*/src/**/*.test.ts'],
          setupFiles,
        },
      },
      {
        test: {
          name: 'suites',
          include: ['tests/*/**/*.test.ts'],
          setupFiles,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
