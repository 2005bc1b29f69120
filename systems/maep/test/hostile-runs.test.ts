/**
 * Issue #18's harness inputs against the fixed maep, as whole seeded runs (local runtime, 3 nodes):
 * the byzantine peer nemesis (with partitions) and lww's odd values under partitions must leave
 * every checker as expected; the byzantine starts must show each attack refused by the nodes.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHarness } from '../../../proof/run.ts';

const common = ['--runtime', 'local', '--nodes', '3', '--time-limit', '8', '--recovery-time', '5', '--nemesis-interval', '1'];

interface NemesisOp { process: string; f: string; value: any }
const nemesisOps = (runDir: string): NemesisOp[] => readFileSync(join(runDir, 'history.jsonl'), 'utf8').trim().split('\n')
  .map((l) => JSON.parse(l) as NemesisOp).filter((o) => o.process === 'nemesis');

test('byzantine peers and partitions: every checker as expected, every attack refused', { timeout: 180_000 }, async () => {
  const store = mkdtempSync(join(tmpdir(), 'splitbrain-byz-'));
  try {
    const run = await runHarness(['--workload', 'history', '--nemesis', 'byzantine,partition', '--seed', '7', ...common], store);
    assert.equal(run.exitCode, 0, `everything as expected:\n${run.output}`);
    const starts = nemesisOps(run.runDir).filter((o) => o.f === 'start-byzantine' && o.value?.report);
    assert.ok(starts.length > 0, 'the byzantine fault started');
    const byAttack = new Map<string, string[]>();
    const refusals: Record<string, number> = {};
    for (const s of starts) {
      for (const r of s.value.report) {
        for (const a of r.attacks) byAttack.set(a.attack, [...(byAttack.get(a.attack) ?? []), a.outcome]);
        for (const [k, v] of Object.entries(r.refusals ?? {})) refusals[k] = Math.max(refusals[k] ?? 0, v as number);
      }
    }
    // the node cuts what it must cut; what it only rejects (counted) may stay open
    for (const a of ['stranger', 'bad-proof', 'old-version', 'oversized', 'replayed-frame', 'forged-id']) {
      assert.ok(byAttack.get(a)?.every((o) => o === 'closed by the node'), `${a}: ${JSON.stringify(byAttack.get(a))}`);
    }
    for (const reason of ['seq-jump', 'bad-context', 'context-jump', 'id-mismatch']) {
      assert.ok((refusals[`maep_ops_rejected_total{reason="${reason}"}`] ?? 0) > 0, `${reason} counted: ${JSON.stringify(refusals)}`);
    }
    for (const reason of ['bad-proof', 'wire-version', 'bad-tag']) {
      assert.ok((refusals[`maep_peer_auth_failures_total{reason="${reason}"}`] ?? 0) > 0, `${reason} counted: ${JSON.stringify(refusals)}`);
    }
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('lww with mixed large, wide, deep and unicode values under partitions ends as expected', { timeout: 180_000 }, async () => {
  const store = mkdtempSync(join(tmpdir(), 'splitbrain-values-'));
  try {
    const config = join(store, 'values.yaml');
    writeFileSync(config, 'params:\n  values: mixed\n  value-bytes: 200000\n');
    const run = await runHarness(['--config', config, '--workload', 'lww', '--nemesis', 'partition', '--seed', '11', ...common], store);
    assert.equal(run.exitCode, 0, `everything as expected:\n${run.output.slice(-4000)}`);
    assert.equal(run.verdicts.convergence?.valid, true);
    // each shape was written and acknowledged
    const oks = readFileSync(join(run.runDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .filter((o) => o.type === 'ok' && o.f === 'write').map((o) => o.value[1]);
    const shape = (v: any) => (typeof v === 'string' ? (/^L\d+:/.test(v) ? 'large' : 'unicode') : 'deep' in v ? 'deep' : Object.keys(v).length > 2 ? 'wide' : 'unicode');
    const shapes = new Set(oks.map(shape));
    assert.deepEqual([...shapes].sort(), ['deep', 'large', 'unicode', 'wide'], `acknowledged writes of every shape (${oks.length} writes)`);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('corrupt (mixed modes) and partitions: maep reports the damage, repairs it from its peers, and every checker ends as expected', { timeout: 180_000 }, async () => {
  const store = mkdtempSync(join(tmpdir(), 'splitbrain-corrupt-'));
  try {
    const run = await runHarness(['--workload', 'history', '--nemesis', 'corrupt,partition', '--corrupt-mode', 'mixed', '--corrupt-targets', 'minority', '--seed', '5', ...common], store);
    assert.equal(run.exitCode, 0, `everything as expected:\n${run.output}`);
    const damage = nemesisOps(run.runDir).filter((o) => o.f === 'start-corrupt' && o.value?.damage).flatMap((o) => o.value.damage as { node: string; mode: string; file?: string }[]);
    assert.ok(damage.length > 0 && damage.every((d) => d.file === 'ops.log'), `ops.log damaged: ${JSON.stringify(damage)}`);
    assert.ok(damage.some((d) => d.mode === 'bitflip' || d.mode === 'zero'), 'a damage before the tail');
    const reported = ['n1', 'n2', 'n3'].filter((n) => {
      const log = join(run.runDir, 'nodes', `${n}.log`);
      return existsSync(log) && readFileSync(log, 'utf8').includes('LOG CORRUPTION');
    });
    assert.ok(reported.length > 0, 'a node reported the damage it found at start');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
