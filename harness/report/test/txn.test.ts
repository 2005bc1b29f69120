/** The report draws each transactional cycle with its edges explained; a clean run draws nothing. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { listAppendChecker } from '../../../checkers/txn/index.ts';
import { serializableHistory, injectAnomaly } from '../../../checkers/txn/test/executor.ts';
import { renderTxnAnomalies } from '../txn.ts';

const ctx = { nodes: ['n1'], workload: { consistencyModels: ['serializable'] } };
const resultsOf = (result: any) => ({ valid: result.valid, exitCode: 0, checkers: [{ name: 'list-append', valid: result.valid, expected: 'may-fail', why: '', matched: true, elapsedMs: 1, result }] }) as any;

test('a planted G-single is drawn as an SVG cycle with each edge explained in words', async () => {
  const base = serializableHistory({ seed: 11, txns: 150 });
  const r = await listAppendChecker(injectAnomaly(base, 'G-single'), ctx);
  assert.equal(r.valid, false);
  const html = renderTxnAnomalies(resultsOf(r));
  assert.match(html, /<section id="txn">/);
  assert.match(html, /data-anomaly="G-single/);
  assert.match(html, /<svg [^>]*>/);
  assert.match(html, /T1 → T2<\/b> \((ww|wr|rw|process|realtime)/);
  const clean = await listAppendChecker(base.ops, ctx);
  assert.equal(clean.valid, true);
  assert.equal(renderTxnAnomalies(resultsOf(clean)), '');
});
