/**
 * Vitest reporter: after every project has run, prints ONE line "N passed, N failed" (", N skipped" when
 * some were) counted over every test of every project — the line CI counts — and makes the run exit
 * non-zero when anything failed (failed tests, or a file that failed to load/collect, counted as one
 * failure each). Used next to the default reporter: vitest run --reporter=default --reporter=./scripts/vitest-summary.ts
 */
import type { Reporter, TestModule } from 'vitest/node';

type Counts = { passed: number; failed: number; skipped: number };

export function countModules(modules: readonly TestModule[]): Counts {
  const c: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const m of modules) {
    let tests = 0;
    for (const t of m.children.allTests()) {
      tests++;
      const s = t.result().state;
      if (s === 'passed') c.passed++;
      else if (s === 'failed') c.failed++;
      else c.skipped++; // skipped, todo, or never run (pending)
    }
    // a file that did not load, threw outside a test, or failed a file-level hook
    const fileFailed = m.state() === 'failed' && [...m.children.allTests()].every((t) => t.result().state !== 'failed');
    if (fileFailed || (tests === 0 && m.errors().length > 0)) c.failed++;
  }
  return c;
}

export function summaryLine(c: Counts): string {
  return `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[], unhandledErrors: readonly unknown[]): void {
    const c = countModules(modules);
    c.failed += unhandledErrors.length;
    // stdout, last: after the default reporter's own summary
    process.stdout.write(`${summaryLine(c)}\n`);
    if (c.failed > 0) process.exitCode = 1;
  }
}
