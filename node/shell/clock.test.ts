import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeClock } from './clock.ts';

test('the wall clock adds the offset file; absent, empty or bad files mean 0', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-clock-'));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'offset');
  const warnings: string[] = [];
  const skew = (content: string | null) => {
    if (content !== null) writeFileSync(file, content);
    const c = new NodeClock(file, (m) => warnings.push(m)); // a fresh clock reads the file at once
    const before = Date.now(); const w = c.wallNow(); const after = Date.now();
    return [w - after, w - before];
  };
  const [lo0, hi0] = skew(null);
  assert.ok(lo0 <= 0 && hi0 >= 0, 'no file: no offset');
  const [lo, hi] = skew('-86400000\n');
  assert.ok(lo <= -86400000 && hi >= -86400000, 'a day behind');
  const [lo2, hi2] = skew('');
  assert.ok(lo2 <= 0 && hi2 >= 0, 'empty file: no offset');
  skew('soon');
  assert.match(warnings.join('\n'), /not an integer number of ms/);
});
