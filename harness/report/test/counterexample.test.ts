import { test } from 'vitest';
import assert from 'node:assert/strict';
import { renderPartition } from '../counterexample.ts';

/** n sequential writes by 3 processes, then a read that saw an old value. */
function partition(n: number) {
  const ops = Array.from({ length: n }, (_, i) => ({ id: i, process: i % 3, invoke: i * 100, complete: i * 100 + 5, describe: `write ${i}` }));
  ops.push({ id: n, process: 3, invoke: n * 100, complete: n * 100 + 5, describe: 'read → 0' });
  return {
    key: 'k', opCount: n + 1, ops, opsOmitted: 0,
    longestLinearization: ops.slice(0, n).map((o) => ({ id: o.id, describe: o.describe, stateAfter: String(o.id) })),
    linearizationStepsOmitted: 0, initialState: 'nil', stateBefore: String(n - 1),
    couldNotPlace: [{ id: n, process: 3, describe: 'read → 0', why: `impossible when the state is ${n - 1}` }],
    explanation: 'x',
  };
}

test('small partition: one drawing in event order, every op labelled', () => {
  const html = renderPartition(partition(5), 0);
  assert.equal((html.match(/<svg/g) ?? []).length, 1);
  assert.match(html, /data-view="detail"/);
  assert.match(html, /5\. write 4 \[state 4\]/);
  assert.match(html, /✗ read → 0/);
});

test('big partition: overview with the failure marked, then the failure zoomed', () => {
  const html = renderPartition(partition(100), 0);
  assert.match(html, /data-view="overview"/);
  assert.match(html, /class="cx-mark"/);
  const detail = html.slice(html.indexOf('data-view="detail"'));
  assert.match(detail, /data-op="100"/, 'the stuck op is in the zoom');
  assert.match(detail, /data-op="99"/, 'and the last linearized step');
  assert.doesNotMatch(detail, /data-op="10"[^0-9]/, 'early ops are not');
});

test('unknown shapes do not crash and are shown as JSON', () => {
  assert.match(renderPartition('weird', 0), /weird/);
  const html = renderPartition({ ops: [{ nope: 1 }], longestLinearization: [3, 4], couldNotPlace: [5], mystery: { a: 1 } }, 0);
  assert.match(html, /mystery/);
  assert.match(html, /op 3/);
});
