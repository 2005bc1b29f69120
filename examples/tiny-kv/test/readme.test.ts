/** The README's "Test your own system" shows the whole plug-in: it must stay the file, verbatim. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const system = readFileSync(new URL('../system.ts', import.meta.url), 'utf8');

test('the README shows examples/tiny-kv/system.ts verbatim, and the command that tests it', () => {
  const section = readme.slice(readme.indexOf('## Test your own system'));
  assert.ok(readme.includes('## Test your own system'), 'the section exists');
  assert.ok(section.includes('```ts\n' + system + '```'), 'system.ts is shown whole and unchanged (rerun the copy after editing it)');
  assert.ok(section.includes('npm run jepsen -- --system examples/tiny-kv/system.ts --workload lww --nemesis partition --runtime local --time-limit 10'));
});

test('the plug-in stays small (issue #12: at most about 150 lines)', () => {
  assert.ok(system.split('\n').length <= 150, `system.ts has ${system.split('\n').length} lines`);
});
