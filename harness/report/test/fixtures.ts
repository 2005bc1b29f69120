/**
 * Synthetic run folders in the documented formats (store-layout.md, history/op.ts,
 * checkers/types.ts), for the report, serve tests and the benchmark. Each builder returns the
 * counts it generated, so tests compare the page against the generator, not against the report's
 * own arithmetic.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../../api/rng.ts';
import type { Op, OpInput } from '../../../api/history.ts';
import type { CheckerOutcome } from '../../../api/checker.ts';

/** every client op by outcome, final reads included (they are also counted in finalReads) */
export interface Counts { ok: number; fail: number; info: number; pending: number; clientOps: number; finalReads: number }
export interface Built { dir: string; counts: Counts; checkers: CheckerOutcome[] | null; faults: number }

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const S = 1e9;

class HistoryBuilder {
  ops: Op[] = [];
  counts: Counts = { ok: 0, fail: 0, info: 0, pending: 0, clientOps: 0, finalReads: 0 };
  add(time: number, op: OpInput) { this.ops.push({ index: this.ops.length, time: Math.round(time), ...op }); }
  /** invoke at t, complete after d seconds with type */
  pair(t: number, d: number, process: number, f: string, inv: unknown, type: 'ok' | 'fail' | 'info', value: unknown, node: string, error?: string) {
    this.add(t * S, { type: 'invoke', process, f, value: inv, node });
    this.add((t + d) * S, { type, process, f, value, node, ...(error ? { error } : {}) });
    this.counts[type]++; this.counts.clientOps++;
    if (f === 'final-read') this.counts.finalReads++;
  }
  nemesis(t: number, f: string, value: unknown, completion: unknown = value) {
    this.add(t * S, { type: 'info', process: 'nemesis', f, value }); // Jepsen-style info/info pair
    this.add((t + 0.01) * S, { type: 'info', process: 'nemesis', f, value: completion });
  }
  /** ops must be in time order in the file; pairs are added out of order, so sort at the end */
  lines(): string {
    const sorted = this.ops.slice().sort((a, b) => a.time - b.time || a.index - b.index);
    return sorted.map((o, i) => JSON.stringify({ ...o, index: i })).join('\n') + '\n';
  }
}

function testJson(name: string, workload: string, nemesis: string, seed: number, startedAt: string, durationS: number, extra: Record<string, unknown> = {}) {
  return {
    name, workload, nemesis, runtime: 'local', nodes: NODES, concurrency: 5, timeLimitS: durationS, rate: 50, seed,
    recoveryTimeS: 3, nodeArgs: [], command: ['npm', 'run', 'jepsen', '--', '--workload', workload, '--nemesis', nemesis, '--seed', String(seed), '--time-limit', String(durationS)],
    startedAt, endedAt: new Date(Date.parse(startedAt) + durationS * 1000 + 4000).toISOString(),
    versions: { splitbrain: '0.1.0', node: process.version }, mechanisms: { partition: 'iptables' }, ...extra,
  };
}

function outcome(name: string, valid: true | false | 'unknown', expected: CheckerOutcome['expected'], why: string, result: Record<string, unknown>): CheckerOutcome {
  const matched = valid === 'unknown' ? false : expected === 'may-fail' ? true : expected === 'valid' ? valid === true : valid === false;
  return { name, valid, expected, why, matched, result: { valid, ...result }, elapsedMs: 12 };
}

function writeRun(dir: string, test: unknown, h: HistoryBuilder, results: unknown | null, opts: { truncate?: boolean } = {}) {
  mkdirSync(join(dir, 'nodes'), { recursive: true });
  writeFileSync(join(dir, 'test.json'), JSON.stringify(test, null, 2));
  let text = h.lines();
  if (opts.truncate) text += '{"index":99999,"time":1,"type":"inv'; // killed mid-write
  writeFileSync(join(dir, 'history.jsonl'), text);
  if (results) writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  writeFileSync(join(dir, 'harness.log'), 'harness started\n');
  for (const n of NODES) writeFileSync(join(dir, 'nodes', `${n}.log`), `${n} up\n`);
}

export interface BankOpts { seed?: number; ops?: number; durationS?: number; startedAt?: string; results?: boolean; truncate?: boolean; overdraft?: boolean }

/** A bank run with one partition, a heal, final reads converging on every node. */
export function bankRun(dir: string, o: BankOpts = {}): Built {
  const seed = o.seed ?? 7, n = o.ops ?? 600, dur = o.durationS ?? 20;
  const rng = new Rng(seed);
  const h = new HistoryBuilder();
  const accounts = 5, initial = 10, total = accounts * initial;
  const bal = new Array<number>(accounts).fill(initial);
  const partStart = dur * 0.3, partEnd = dur * 0.6, heal = dur * 0.75;
  const conc = 5;
  const proc = Array.from({ length: conc }, (_, i) => i);
  h.nemesis(partStart, 'start-partition', { shape: 'halves', components: [['n1', 'n2'], ['n3', 'n4', 'n5']], grudge: {} });
  h.nemesis(partEnd, 'stop-partition', null);
  h.add(heal * S, { type: 'info', process: 'nemesis', f: 'heal', value: null }); // a one-line marker, as the harness records it
  const perWorker = Math.ceil(n / conc);
  for (let w = 0; w < conc; w++) {
    let t = 0.01 + w * 0.003;
    for (let k = 0; k < perWorker && h.counts.clientOps < n; k++) {
      const step = (heal * 0.98) / perWorker;
      const d = Math.min(step * 0.8, 0.002 + rng.next() * 0.02 * (t > partStart && t < partEnd ? 5 : 1));
      const node = NODES[w % NODES.length];
      const r = rng.next();
      if (r < 0.35) {
        const v: Record<string, number> = {};
        bal.forEach((b, i) => { v[String(i)] = b; });
        if (o.overdraft && k === 3) v['0'] = -3;
        h.pair(t, d, proc[w], 'read', null, 'ok', v, node);
      } else {
        const from = rng.int(0, accounts - 1), to = (from + 1) % accounts, amount = rng.int(1, 3);
        const ty = r < 0.9 ? 'ok' : r < 0.96 ? 'fail' : 'info';
        if (ty === 'ok' && bal[from] >= amount) { bal[from] -= amount; bal[to] += amount; }
        h.pair(t, d, proc[w], 'transfer', { from, to, amount }, ty, { from, to, amount }, node, ty === 'fail' ? 'insufficient funds' : ty === 'info' ? 'timeout' : undefined);
        if (ty === 'info') proc[w] += conc; // retired process, worker continues
      }
      t += step;
    }
  }
  // one worker left an op pending at the end
  h.add((heal - 0.05) * S, { type: 'invoke', process: proc[0] + 100, f: 'transfer', value: { from: 0, to: 1, amount: 1 }, node: 'n1' });
  h.counts.pending++; h.counts.clientOps++;
  // final reads: two rounds, n3 catches up in the second
  const balances: Record<string, number> = {};
  bal.forEach((b, i) => { balances[String(i)] = b; });
  const convergedAtS: Record<string, number> = {};
  NODES.forEach((node, i) => {
    for (const round of [0, 1]) {
      const t = heal + 1 + round * 0.5 + i * 0.01;
      const late = node === 'n3' && round === 0;
      h.pair(t, 0.005, i, 'final-read', null, 'ok', { state: { balances }, digest: late ? 'aaaa' : 'beef' }, node);
      if (!late && convergedAtS[node] === undefined) convergedAtS[node] = Math.round((t + 0.005) * 1000) / 1000;
    }
  });
  const checkers = [
    outcome('bank', true, 'may-fail', 'maep approves transfers on a local view; overdrafts under partitions are accepted', { summary: `${h.counts.ok} ok ops, no negative balance, total always ${total}` }),
    outcome('convergence', true, 'valid', 'every node must converge after the heal', { summary: '5 nodes agree', healS: heal, convergedAtS, convergedAfterS: Math.max(...Object.values(convergedAtS)) - heal }),
  ];
  const results = { valid: true, exitCode: 0, checkers };
  writeRun(dir, testJson('bank-partition', 'bank', 'partition', seed, o.startedAt ?? '2026-11-20T10:00:00.000Z', dur, { workloadParams: { accounts: [0, 1, 2, 3, 4], initialBalance: initial, total } }), h, o.results === false ? null : results, o);
  return { dir, counts: h.counts, checkers: o.results === false ? null : checkers, faults: 1 };
}

export interface LwwOpts { seed?: number; startedAt?: string; valid?: boolean }

/**
 * An lww run. Invalid (default): process 1 reads a stale value after process 0's write completed,
 * the classic AP anomaly, and the linearizability result carries the counterexample in
 * checkers/linearizability/evidence.ts's shape.
 */
export function lwwRun(dir: string, o: LwwOpts = {}): Built {
  const seed = o.seed ?? 11;
  const rng = new Rng(seed);
  const h = new HistoryBuilder();
  h.nemesis(2, 'start-partition', { shape: 'one', components: [['n1'], ['n2', 'n3', 'n4', 'n5']] });
  h.nemesis(5, 'stop-partition', null);
  h.add(6 * S, { type: 'info', process: 'nemesis', f: 'heal', value: null });
  let t = 0.1;
  for (let i = 0; i < 120; i++) {
    const p = i % 3, key = rng.int(0, 2), r = rng.next();
    if (r < 0.5) h.pair(t, 0.01, p, 'write', [key, i], 'ok', [key, i], NODES[p]);
    else if (r < 0.9) h.pair(t, 0.008, p, 'read', [key, null], 'ok', [key, i - 1], NODES[p]);
    else h.pair(t, 0.02, p, 'cas', [key, [i - 2, i]], 'fail', [key, [i - 2, i]], NODES[p], 'value differed');
    t += 0.05;
  }
  const partitions = [{
    key: '1', opCount: 3,
    ops: [
      { id: 0, process: 0, invoke: 2.1e9, complete: 2.2e9, describe: 'write(5) ok' },
      { id: 1, process: 1, invoke: 2.3e9, complete: 2.4e9, describe: 'read → 3' },
      { id: 2, process: 2, invoke: 1.9e9, complete: 2.05e9, describe: 'write(3) ok' },
    ],
    opsOmitted: 0,
    longestLinearization: [{ id: 2, describe: 'write(3) ok', stateAfter: '3' }, { id: 0, describe: 'write(5) ok', stateAfter: '5' }],
    linearizationStepsOmitted: 0,
    initialState: 'null', stateBefore: '5',
    couldNotPlace: [{ id: 1, process: 1, describe: 'read → 3', why: 'impossible when the state is 5' }],
    explanation: 'After linearizing 2 of 3 ops for key "1", the state is 5 and none of the 1 op(s) that could go next fits: read → 3 (process 1) is impossible when the state is 5;',
    searchStats: { cacheEntries: 17 },
  }];
  const valid = o.valid === true;
  const checkers = [
    outcome('linearizability', valid ? true : false, 'invalid', 'maep is AP: stale reads under partition are expected', valid ? { summary: 'linearizable' } : { summary: '1 key not linearizable', partitions }),
    outcome('convergence', 'unknown', 'valid', 'every node must converge after the heal', { summary: 'no ok final read on any node' }),
  ];
  writeRun(dir, testJson('lww-partition', 'lww', 'partition', seed, o.startedAt ?? '2026-11-20T11:00:00.000Z', 8), h, { valid: valid ? true : false, exitCode: valid ? 1 : 2, checkers });
  return { dir, counts: h.counts, checkers, faults: 1 };
}
