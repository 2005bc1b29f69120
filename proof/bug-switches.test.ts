/**
 * The checker proofs: each maep bug switch, in a seeded run with the nemesis that exposes it, must be
 * judged invalid by the checker that exists for that bug — and the same run without the switch must
 * pass that checker. This is what makes a green verdict worth trusting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHarness } from './run.ts';

export interface Proof {
  bugSwitch: string;
  checker: string;
  args: string[];
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
];

const COMMON = ['--runtime', 'local', '--nodes', '5', '--time-limit', '8', '--recovery-time', '5', '--seed', '5'];

for (const p of PROOFS) {
  test(`${p.bugSwitch} is caught by ${p.checker}, and the same run without it passes`, { timeout: 300_000 }, async () => {
    const store = mkdtempSync(join(tmpdir(), 'splitbrain-proof-'));
    try {
      const buggy = await runHarness([...p.args, ...COMMON, `--node-args=${p.bugSwitch}`], store);
      assert.equal(buggy.verdicts[p.checker]?.valid, false, `with ${p.bugSwitch}, ${p.checker} must be invalid: ${JSON.stringify(buggy.verdicts[p.checker])}\n${buggy.output}`);
      assert.equal(buggy.exitCode, 1, 'an unexpected result exits 1');

      const clean = await runHarness([...p.args, ...COMMON], store);
      assert.equal(clean.verdicts[p.checker]?.valid, true, `without ${p.bugSwitch}, ${p.checker} must pass: ${JSON.stringify(clean.verdicts[p.checker])}\n${clean.output}`);
      console.log(`proof ${p.bugSwitch}: caught by ${p.checker} (${buggy.verdicts[p.checker]!.summary}); runs took ${buggy.durationS.toFixed(0)} s and ${clean.durationS.toFixed(0)} s`);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
}
