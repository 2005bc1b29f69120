/**
 * list-append on maep with partitions (local runtime), through the CLI: the run ends as expected
 * (the txn checker may fail on an AP store), and whatever anomalies the checker finds come with
 * explanations: cycles with edges that say why they exist.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { runCli, unexpected } from '../../test/run-cli.ts';

const CYCLES = ['G0', 'G1c', 'G-single', 'G2-item'];

test('list-append on maep with partitions: as expected, anomalies explained', async () => {
  await runCli(['--workload', 'list-append', '--nemesis', 'partition', '--runtime', 'local', '--nodes', '3', '--time-limit', '8', '--nemesis-interval', '2', '--seed', '7'], (run) => {
    assert.deepEqual(unexpected(run), [], run.out.slice(-3000));
    assert.equal(run.code, 0, run.out.slice(-3000));
    const stats = run.checker('stats');
    assert.equal(stats.valid, true, stats.result?.summary);
    const la = run.checker('list-append');
    assert.equal(la.expected, 'may-fail');
    const r = la.result;
    assert.equal(typeof r.summary, 'string');
    assert.ok(r.txns.ok > 20, `ok txns: ${JSON.stringify(r.txns)}`);
    // a partition run writes from several nodes: txns did commit on both sides
    const nodes = new Set(run.ops.filter((o) => o.f === 'txn' && o.type === 'ok').map((o) => o.node));
    assert.ok(nodes.size >= 2, `ok txns on ${[...nodes].join(', ')}`);
    for (const [type, list] of Object.entries(r.anomalies ?? {}) as [string, any[]][]) {
      assert.ok(list.length > 0 && r.anomalyCounts[type] >= list.length, `${type}: counted`);
      const kind = type.replace(/-(process|realtime)$/, '');
      for (const a of list) {
        if (!CYCLES.includes(kind)) { assert.equal(typeof a.why, 'string', `${type} says why`); continue; }
        assert.ok(Array.isArray(a.txns) && a.txns.length >= 2, `${type} names its txns`);
        assert.ok(Array.isArray(a.steps) && a.steps.length >= 2, `${type} has its edges`);
        for (const s of a.steps) {
          assert.ok(['ww', 'wr', 'rw', 'process', 'realtime'].includes(s.type), `${type} edge type ${s.type}`);
          assert.ok(typeof s.why === 'string' && s.why.length > 10, `${type} edge ${s.from}->${s.to} explained: ${s.why}`);
        }
        assert.match(a.text, /^T\d+ -\w+-> /);
      }
    }
    console.log(`list-append on maep: ${r.summary}`);
  });
}, 180_000);
