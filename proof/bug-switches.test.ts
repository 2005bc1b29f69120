/**
 * The checker proofs: each maep bug switch, in a seeded run with the nemesis that exposes it, must be
 * judged invalid by the checker that exists for that bug — and the same run without the switch must
 * pass that checker. This is what makes a green verdict worth trusting.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHarness, type ProofRun } from './run.ts';

export interface Proof {
  bugSwitch: string;
  checker: string;
  args: string[];
  /** the run's seed, when the common one does not give this nemesis the schedule it needs */
  seed?: number;
  /** cluster size, when not the common 5 */
  nodes?: number;
  /** more evidence from the buggy run that the fault, not chance, caused the verdict */
  evidence?: (buggy: ProofRun) => void;
}

// Kept in step with the README's "checker proofs" table.
export const PROOFS: Proof[] = [
  {
    bugSwitch: '--unsafe-no-anti-entropy',
    checker: 'lost-writes',
    args: ['--workload', 'history', '--nemesis', 'partition', '--nemesis-interval', '1'],
  },
  {
    bugSwitch: '--unsafe-no-causal-delivery',
    checker: 'causal',
    args: ['--workload', 'history', '--nemesis', 'partition', '--partition-shape', 'majorities-ring', '--nemesis-interval', '1', '--rate', '100'],
  },
  {
    // killing one node loses nothing (its writes already live on its peers): every node dies at
    // once, so the writes acknowledged since the last once-a-second flush are on no disk at all
    bugSwitch: '--unsafe-no-fsync',
    checker: 'lost-writes',
    args: ['--workload', 'history', '--nemesis', 'kill', '--kill-targets', 'all', '--nemesis-interval', '2'],
    evidence: lostInCrashes,
  },
  {
    // frozen clocks give every write the same timestamp, so only the tiebreak decides. The writes
    // must also be concurrent to arrive in different orders: seed 27's schedule ends with every
    // clock frozen (from ~4.8 s) and the cluster cut in halves (from ~6.1 s) until the heal, so
    // each half's last writes reach the other half last, and the halves keep different values.
    // Without the partition only the few writes issued within a replication delay of each other
    // tie, about one key in a run, which is too rare for a proof.
    bugSwitch: '--unsafe-lww-no-tiebreak',
    checker: 'convergence',
    args: ['--workload', 'lww', '--nemesis', 'clock,partition', '--clock-mode', 'freeze', '--partition-shape', 'halves', '--nemesis-interval', '2'],
    seed: 27,
    evidence: frozenAtHeal,
  },
  {
    // the corrupt nemesis kills every node, flips bits in each one's ops.log and restarts them:
    // the old behaviour cuts each log at its damage, so the records after it are gone from every
    // node at once (no replica is left to repair them); the fixed maep skips the damaged record
    // and anti-entropy brings it back from a peer. 3 nodes: what survives is the longest kept
    // prefix, and the furthest of 5 random cuts leaves few records after it
    bugSwitch: '--unsafe-truncate-on-corruption',
    nodes: 3,
    checker: 'lost-writes',
    args: ['--workload', 'history', '--nemesis', 'corrupt', '--corrupt-mode', 'bitflip', '--corrupt-targets', 'all', '--nemesis-interval', '2'],
    evidence: lostAfterCorruption,
  },
];

const common = (p: Proof) => ['--runtime', 'local', '--nodes', String(p.nodes ?? 5), '--time-limit', '8', '--recovery-time', '5', '--seed', String(p.seed ?? 5)];

interface HistoryOp { process: string | number; type: string; f: string; value: unknown; time: number }
const historyOf = (run: ProofRun): HistoryOp[] =>
  readFileSync(join(run.runDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HistoryOp);

/** every lost append was acknowledged shortly (< 1.5 s, the flush period plus slack) before a kill of every node */
function lostInCrashes(run: ProofRun): void {
  const results = JSON.parse(readFileSync(join(run.runDir, 'results.json'), 'utf8')) as { checkers: { name: string; result: { lost?: { ackS: number; missingOn: string[] }[] } }[] };
  const lost = results.checkers.find((c) => c.name === 'lost-writes')!.result.lost ?? [];
  const kills = historyOf(run).filter((o) => o.process === 'nemesis' && o.f === 'start-kill').map((o) => o.time / 1e9);
  assert.ok(lost.length > 0);
  for (const l of lost) {
    assert.equal(l.missingOn.length, 5, `a lost append is missing on every node: ${JSON.stringify(l)}`);
    assert.ok(kills.some((k) => k >= l.ackS && k - l.ackS < 1.5), `append acknowledged at ${l.ackS} s is not just before a kill (kills at ${kills.join(', ')} s)`);
  }
}

/** the corrupt nemesis damaged every node's ops.log, and every lost append was acknowledged before such a damage */
function lostAfterCorruption(run: ProofRun): void {
  const results = JSON.parse(readFileSync(join(run.runDir, 'results.json'), 'utf8')) as { checkers: { name: string; result: { lost?: { ackS: number; missingOn: string[] }[] } }[] };
  const lost = results.checkers.find((c) => c.name === 'lost-writes')!.result.lost ?? [];
  const damages = historyOf(run).filter((o) => o.process === 'nemesis' && o.f === 'start-corrupt' && (o.value as { damage?: unknown }).damage)
    .map((o) => ({ t: o.time / 1e9, damage: (o.value as { damage: { node: string; file?: string; bits?: number[] }[] }).damage }));
  assert.ok(damages.length > 0, 'the corrupt nemesis ran');
  for (const d of damages) for (const x of d.damage) assert.ok(x.file === 'ops.log' && x.bits && x.bits.length > 0, `a bit flip in ops.log: ${JSON.stringify(x)}`);
  assert.ok(lost.length > 0);
  for (const l of lost) {
    assert.equal(l.missingOn.length, 3, `a lost append is missing on every node: ${JSON.stringify(l)}`);
    assert.ok(damages.some((d) => d.t >= l.ackS), `append acknowledged at ${l.ackS} s precedes a corruption (at ${damages.map((d) => d.t).join(', ')} s)`);
  }
}

/**
 * the clocks were frozen and the cluster partitioned when the main phase ended (the schedule the
 * comment promises); healAll's stops come after the last client op, so they are not counted
 */
function frozenAtHeal(run: ProofRun): void {
  const history = historyOf(run);
  const mainEnd = Math.max(...history.filter((o) => o.process !== 'nemesis' && o.f !== 'final-read').map((o) => o.time));
  const active = new Set<string>();
  for (const o of history) {
    if (o.process !== 'nemesis' || o.type !== 'info' || o.time > mainEnd) continue;
    const [action, kind] = o.f.split('-') as [string, string];
    if (kind === 'clock' && action === 'start' && (o.value as { mode?: string }).mode !== 'freeze') assert.fail(`a clock start that is not a freeze: ${JSON.stringify(o.value)}`);
    if (action === 'start') active.add(kind); else if (action === 'stop') active.delete(kind);
  }
  assert.deepEqual([...active].sort(), ['clock', 'partition'], 'frozen and partitioned when the main phase ended');
}

for (const p of PROOFS) {
  test(`${p.bugSwitch} is caught by ${p.checker}, and the same run without it passes`, { timeout: 300_000 }, async () => {
    const store = mkdtempSync(join(tmpdir(), 'splitbrain-proof-'));
    try {
      const buggy = await runHarness([...p.args, ...common(p), `--node-args=${p.bugSwitch}`], store);
      assert.equal(buggy.verdicts[p.checker]?.valid, false, `with ${p.bugSwitch}, ${p.checker} must be invalid: ${JSON.stringify(buggy.verdicts[p.checker])}\n${buggy.output}`);
      assert.equal(buggy.exitCode, 1, 'an unexpected result exits 1');
      p.evidence?.(buggy);

      const clean = await runHarness([...p.args, ...common(p)], store);
      assert.equal(clean.verdicts[p.checker]?.valid, true, `without ${p.bugSwitch}, ${p.checker} must pass: ${JSON.stringify(clean.verdicts[p.checker])}\n${clean.output}`);
      console.log(`proof ${p.bugSwitch}: caught by ${p.checker} (${buggy.verdicts[p.checker]!.summary}); runs took ${buggy.durationS.toFixed(0)} s and ${clean.durationS.toFixed(0)} s`);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
}
