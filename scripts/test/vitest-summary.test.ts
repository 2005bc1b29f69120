// The one line CI counts: "N passed, N failed" (", N skipped" when any), over every project.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { TestModule } from 'vitest/node';
import { countModules, summaryLine } from '../vitest-summary.ts';

function mod(states: string[], moduleState = states.includes('failed') ? 'failed' : 'passed', errors: unknown[] = []): TestModule {
  const tests = states.map((s) => ({ result: () => ({ state: s }) }));
  return { state: () => moduleState, errors: () => errors, children: { allTests: function* () { yield* tests; } } } as unknown as TestModule;
}

test('the line: passed and failed always, skipped only when some were', () => {
  assert.equal(summaryLine({ passed: 445, failed: 0, skipped: 0 }), '445 passed, 0 failed');
  assert.equal(summaryLine({ passed: 3, failed: 1, skipped: 2 }), '3 passed, 1 failed, 2 skipped');
});

test('counts over modules of every project; skipped and never-run tests are skipped', () => {
  const c = countModules([mod(['passed', 'passed', 'skipped']), mod(['failed', 'passed']), mod(['pending'], 'skipped')]);
  assert.deepEqual(c, { passed: 3, failed: 1, skipped: 2 });
});

test('a file that fails outside its tests (import error, no suite, a failing hook) is one failure', () => {
  assert.deepEqual(countModules([mod([], 'failed', [new Error('No test suite found')])]), { passed: 0, failed: 1, skipped: 0 });
  assert.deepEqual(countModules([mod(['passed'], 'failed')]), { passed: 1, failed: 1, skipped: 0 });
  // a failed test already counts: the file is not counted again
  assert.deepEqual(countModules([mod(['failed'], 'failed')]), { passed: 0, failed: 1, skipped: 0 });
});
