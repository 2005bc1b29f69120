/**
 * The simulator end to end: exact replay, the run folder of `run --runtime sim`, every maep bug
 * switch caught by the same checker as on the local runtime (proof/bug-switches.test.ts) with the
 * bug-free node passing the same seeds, a small sweep on worker threads, shrinking a planted
 * failure, and the error for a system without a pure core. Seeds were found with `sweep`.
 */
import { describe, test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareSim, runChecked, type SimBase } from '../seed-run.ts';
import { runSim } from '../run-sim.ts';
import { shrink } from '../shrink.ts';
import { sweepSeeds } from '../pool.ts';
import { runCommand } from '../../commands/run.ts';

const store = mkdtempSync(join(tmpdir(), 'sim-test-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const SHORT = { 'time-limit': '8', 'recovery-time': '5' };

/** the proofs' runs (proof/bug-switches.test.ts), each with the switch's checker and a seed that catches it */
const SWITCHES = [
  { bug: '--unsafe-no-anti-entropy', checker: 'lost-writes', seed: 1, flags: { workload: 'history', nemesis: 'partition', 'nemesis-interval': '1' } },
  { bug: '--unsafe-no-causal-delivery', checker: 'causal', seed: 1, flags: { workload: 'history', nemesis: 'partition', 'partition-shape': 'majorities-ring', 'nemesis-interval': '1', rate: '100' } },
  { bug: '--unsafe-no-fsync', checker: 'lost-writes', seed: 1, flags: { workload: 'history', nemesis: 'kill', 'kill-targets': 'all', 'nemesis-interval': '2' } },
  { bug: '--unsafe-lww-no-tiebreak', checker: 'convergence', seed: 19, flags: { workload: 'lww', nemesis: 'clock,partition', 'clock-mode': 'freeze', 'partition-shape': 'halves', 'nemesis-interval': '2' } },
] as const;

const quiet = { write: () => true } as unknown as NodeJS.WriteStream;

describe('simulator', () => {
  test('replay: the same seed and flags give a byte-identical history (times included)', async () => {
    const base = await prepareSim({ workload: 'history', nemesis: 'partition,kill,clock', ...SHORT, seed: '42' });
    const a = await runSim({ config: base.config, system: base.system, workload: base.workload });
    const b = await runSim({ config: base.config, system: base.system, workload: base.workload });
    assert.ok(a.recorder.ops.length > 300);
    assert.equal(a.recorder.text(), b.recorder.text());
    const c = await runSim({ config: { ...base.config, seed: 43 }, system: base.system, workload: base.workload });
    assert.notEqual(a.recorder.text(), c.recorder.text());
  });

  test('run --runtime sim writes the usual folder, twice the same history.jsonl; test.json says the times are simulated', async () => {
    const flags = { runtime: 'sim', workload: 'history', nemesis: 'partition,kill,clock', ...SHORT, seed: '42', store } as Record<string, string>;
    const dirs: string[] = [];
    for (let i = 0; i < 2; i++) {
      assert.equal(await runCommand(flags, { out: quiet, argv: [] }), 0);
      dirs.push(realpathSync(join(store, 'latest')));
    }
    const [d1, d2] = dirs;
    assert.notEqual(d1, d2);
    for (const f of ['test.json', 'history.jsonl', 'results.json', 'report.html']) assert.ok(readFileSync(join(d1!, f)).length > 0, f);
    assert.ok(readFileSync(join(d1!, 'history.jsonl')).equals(readFileSync(join(d2!, 'history.jsonl'))));
    const t = JSON.parse(readFileSync(join(d1!, 'test.json'), 'utf8'));
    assert.equal(t.runtime, 'sim');
    assert.match(t.times, /simulated/);
    assert.match(readFileSync(join(d1!, 'report.html'), 'utf8'), /simulated/);
  });

  for (const s of SWITCHES) {
    test(`${s.bug} is caught by ${s.checker} (seed ${s.seed}); the bug-free node passes the same seeds`, async () => {
      const buggy = await prepareSim({ ...s.flags, ...SHORT, 'node-args': s.bug });
      const { verdict } = await runChecked(buggy, { ...buggy.config, seed: s.seed });
      assert.ok(verdict.unexpected.includes(s.checker), `seed ${s.seed}: ${JSON.stringify(verdict)}`);
      const clean: SimBase = await prepareSim({ ...s.flags, ...SHORT });
      for (const seed of [s.seed, s.seed + 1]) {
        const { verdict: v } = await runChecked(clean, { ...clean.config, seed });
        assert.equal(v.exitCode, 0, `bug-free seed ${seed}: ${JSON.stringify(v)}`);
      }
    });
  }

  test('sweep on worker threads: stops at the first unexpected verdict', async () => {
    const flags = { ...SWITCHES[2].flags, ...SHORT, 'time-limit': '4', 'node-args': '--unsafe-no-fsync' };
    const r = await sweepSeeds({ flags, seeds: [1, 2, 3, 4, 5, 6, 7, 8], workers: 2, keepGoing: false });
    assert.ok(r.verdicts.some((v) => v.exitCode === 1 && v.unexpected.includes('lost-writes')));
    assert.ok(r.stoppedEarly);
  });

  test('shrinking a planted failure ends with fewer ops and faults, still failing the same checker', async () => {
    const s = SWITCHES[0];
    const base = await prepareSim({ ...s.flags, ...SHORT, 'node-args': s.bug });
    const config = { ...base.config, seed: 3 };
    const attempt = async (c: { config: typeof config; cuts: object }) => {
      const { verdict, run } = await runChecked(base, c.config, c.cuts);
      return { fails: verdict.unexpected.includes(s.checker), verdict, faultStarts: run.faultStarts };
    };
    const first = await attempt({ config, cuts: {} });
    assert.ok(first.fails);
    const r = await shrink({ config, cuts: {} }, first, attempt, 30);
    assert.ok(r.bestVerdict.clientOps < first.verdict.clientOps, `ops ${r.bestVerdict.clientOps} vs ${first.verdict.clientOps}`);
    assert.ok(r.bestVerdict.faults < first.verdict.faults, `faults ${r.bestVerdict.faults} vs ${first.verdict.faults}`);
    const again = await attempt(r.best);
    assert.ok(again.fails, 'the shrunk run replays and still fails');
    assert.deepEqual(again.verdict, r.bestVerdict);
  });

  test('a system with no pure core gets a clear error for --runtime sim', async () => {
    await assert.rejects(prepareSim({ system: 'etcd', workload: 'lww' }), /etcd has no pure core the simulator can drive/);
  });
});
