/**
 * The expectation partitions must show, through the real CLI on a real 3-node maep cluster: a
 * seeded ~15 s bank run with partitions records its faults, ends with equal final reads on every
 * node (convergence after heal), and shows the AP anomalies: transfers approved on both sides of
 * a partition, and at least one overdraft.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { jepsen, latestRun, historyOf, readJson, processesMentioning, eventually } from '../../harness/test/helpers.ts';
import type { Op } from '../../api/history.ts';

interface Plan { shape: string; grudge: Record<string, string[]>; components?: string[][]; bridge?: string }

test('bank with partitions: faults recorded, converged final reads, overdraft and split-brain approvals', async () => {
  const store = mkdtempSync(join(tmpdir(), 'sb-nemesis-bank-'));
  try {
    const res = await jepsen(['--workload', 'bank', '--nemesis', 'partition', '--partition-shape', 'cycle', '--nemesis-interval', '2.5',
      '--runtime', 'local', '--nodes', '3', '--time-limit', '15', '--seed', '4242', '--store', store]);
    const dir = latestRun(store);
    assert.equal(res.exitCode, 0, res.all);
    const ops = historyOf(dir);
    const nem = ops.filter((o) => o.process === 'nemesis');

    // fault ops: info/info pairs with a grudge, alternating start/stop, then the runner's heal
    const faults = nem.filter((o) => o.f !== 'heal');
    assert.ok(faults.length >= 4, `only ${faults.length} fault ops`);
    for (let i = 0; i < faults.length; i += 2) {
      const [a, b] = [faults[i]!, faults[i + 1]!];
      assert.equal(a.type, 'info'); assert.equal(b.type, 'info');
      assert.equal(a.f, b.f); assert.deepEqual(a.value, b.value);
      assert.equal(b.error, undefined, `${b.f} failed: ${b.error}`);
      assert.equal(a.f, i % 4 === 0 ? 'start-partition' : 'stop-partition');
      assert.ok(Object.keys((a.value as Plan).grudge).length > 0, 'the grudge names who drops whom');
    }
    assert.equal(faults.at(-1)!.f, 'stop-partition', 'the last partition was healed');
    assert.equal(nem.at(-1)!.f, 'heal');
    assert.ok(nem.at(-1)!.index > faults.at(-1)!.index);

    // convergence: the last ok final read of every node is the same state and Merkle root
    const finals = new Map<string, unknown>();
    for (const o of ops) if (o.f === 'final-read' && o.type === 'ok') finals.set(o.node!, o.value);
    assert.equal(finals.size, 3, 'a final read from every node');
    const [first, ...rest] = [...finals.values()];
    for (const v of rest) assert.deepEqual(v, first);

    // AP under partition: during some partition, transfers were acknowledged on both sides
    assert.ok(splitBrainApprovals(ops) > 0, 'no partition saw transfers approved on two sides');
    // and the bank shows it: some read (or the final state) has a negative balance
    const negative = ops.some((o) => o.type === 'ok' && (o.f === 'read' || o.f === 'final-read') && balancesOf(o).some((b) => b < 0));
    const results = readJson(join(dir, 'results.json'));
    const overdraft = results.checkers.find((c: { name: string }) => c.name === 'bank-no-overdraft');
    assert.ok(negative, 'no read ever saw an overdrawn account');
    assert.equal(overdraft?.valid, false, 'the overdraft checker found the overdraft too');
    assert.equal(results.checkers.find((c: { name: string }) => c.name === 'convergence')?.valid, true);
    assert.ok(await eventually(() => processesMentioning(dir).length === 0, 20_000), 'node processes left behind');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

function balancesOf(o: Op): number[] {
  const v = o.value as Record<string, unknown> | null;
  const b = (o.f === 'final-read' ? (v?.state as { balances?: Record<string, number> })?.balances : v) ?? {};
  return Object.values(b).filter((x): x is number => typeof x === 'number');
}

/** partitions during which ok transfers came from nodes on two sides that drop each other */
function splitBrainApprovals(ops: Op[]): number {
  let count = 0;
  let plan: Plan | null = null, from = 0;
  let approvers = new Set<string>();
  const invokedAt = new Map<Op['process'], number>();
  let startSeen = false;
  for (const op of ops) {
    if (op.process === 'nemesis') {
      // the second start-partition op is the completion: the grudge is in place from here
      if (op.f === 'start-partition') { if (startSeen) { plan = op.value as Plan; from = op.index; approvers = new Set(); } startSeen = !startSeen; }
      if (op.f === 'stop-partition' && plan) {
        const nodes = [...approvers];
        if (nodes.some((a) => nodes.some((b) => (plan!.grudge[b] ?? []).includes(a)))) count++;
        plan = null;
      }
      continue;
    }
    if (op.type === 'invoke') { invokedAt.set(op.process, op.index); continue; }
    // only ops invoked after the grudge was in place: an earlier one may have been approved before it
    if (plan && op.type === 'ok' && op.f === 'transfer' && op.node && (invokedAt.get(op.process) ?? -1) > from) approvers.add(op.node);
  }
  return count;
}
