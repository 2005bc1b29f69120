/**
 * Which Vitest project each test file belongs to (issue #19). vitest.config.ts builds its projects
 * from these lists, and scripts/test/projects.test.ts checks that every *.test.ts in the repo lands
 * in exactly one project. A new test file is `unit` unless listed here: the unit project's setup
 * (scripts/vitest-unit-setup.ts) fails it loudly if it starts a process or opens a socket.
 */
export const ALL_TESTS = ['**/*.test.ts'];

/** real processes, clusters, sockets, the browser: run one file at a time */
export const INTEGRATION = [
  'harness/test/integration-*.test.ts',
  'harness/report/test/report-browser.test.ts',
  'harness/serve/test/serve.test.ts',
  'nemesis/test/bank-partition-run.test.ts',
  'nemesis/test/interrupt-during-partition.test.ts',
  'nemesis/test/lww-partition-run.test.ts',
  'nemesis/test/real-faults.test.ts',
  'nightly/test/nightly.test.ts',
  'node/shell/http.test.ts',
  'node/test/**/*.test.ts',
  'runtimes/local/test/**/*.test.ts',
  'runtimes/netns/test/**/*.test.ts',
  'runtimes/test/**/*.test.ts',
  'systems/**/test/**/*.test.ts',
  'examples/**/*.test.ts',
];

/** the planted-bug proofs (long runs of the whole harness) */
export const PROOF = ['proof/**/*.test.ts'];

/** anything that needs a container engine */
export const DOCKER = ['runtimes/docker/test/**/*.test.ts', 'systems/**/test/*-docker.test.ts'];

/** never test files */
export const IGNORED = ['**/node_modules/**', 'store/**', '.tmp/**', 'coverage/**', '.git/**'];

/** include/exclude of each project; unit is everything the others do not claim */
export const PROJECTS = {
  unit: { include: ALL_TESTS, exclude: [...IGNORED, ...INTEGRATION, ...PROOF, ...DOCKER] },
  integration: { include: INTEGRATION, exclude: [...IGNORED, ...DOCKER] },
  proof: { include: PROOF, exclude: IGNORED },
  docker: { include: DOCKER, exclude: IGNORED },
};
export type ProjectName = keyof typeof PROJECTS;
