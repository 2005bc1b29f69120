// Vitest projects (issue #19). Which file goes where: scripts/test-projects.ts.
//   npx vitest                      watch mode, every project (a developer mostly wants --project unit)
//   npm test                        all projects, ends with one line "N passed, N failed" (scripts/vitest-summary.ts)
//   npm run test:unit               pure code only: no process, no socket (enforced by scripts/vitest-unit-setup.ts)
//   npm run test:coverage           V8 coverage: text summary + coverage/index.html
import { defineConfig } from 'vitest/config';
import { PROJECTS } from './scripts/test-projects.ts';

const MIN = 60_000;

export default defineConfig({
  test: {
    coverage: {
      provider: 'v8',
      reportOnFailure: true,
      reporter: ['text-summary', 'text', 'html', 'json-summary'],
      reportsDirectory: 'coverage',
      include: ['api/**/*.ts', 'checkers/**/*.ts', 'harness/**/*.ts', 'nemesis/**/*.ts', 'node/**/*.ts', 'runtimes/**/*.ts', 'systems/**/*.ts', 'workloads/**/*.ts', 'nightly/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test/**', '**/node_modules/**'],
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          ...PROJECTS.unit,
          setupFiles: ['./scripts/vitest-unit-setup.ts'],
          // pure code: files run in parallel; property tests under coverage can be slow, node:test had no timeout
          testTimeout: 2 * MIN,
          hookTimeout: 2 * MIN,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          ...PROJECTS.integration,
          // the files share the machine's ports and CPU: one file at a time, after the unit project
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 15 * MIN,
          hookTimeout: 5 * MIN,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'proof',
          ...PROJECTS.proof,
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 60 * MIN,
          hookTimeout: 5 * MIN,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: 'docker',
          ...PROJECTS.docker,
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 30 * MIN,
          hookTimeout: 10 * MIN,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
