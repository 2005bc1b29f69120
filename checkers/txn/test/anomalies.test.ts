import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import { checkTxns, listAppendChecker, cycleSvg, cycleLayout, type CycleAnomaly, type OpAnomaly } from '../index.ts';
import { TxnHistory, a, r, w } from './build.ts';

const check = (h: TxnHistory, models: string[] = ['strict-serializable'], kind?: 'list-append' | 'rw-register') => checkTxns(h.ops, { models, kind }) as any;
const cycles = (res: any, type: string): CycleAnomaly[] => res.anomalies[type] ?? [];
const ops = (res: any, type: string): OpAnomaly[] => res.anomalies[type] ?? [];

describe('list-append: one history per anomaly', () => {
  test('a serial history is valid under every model', () => {
    const h = new TxnHistory().txn(0, [a('x', 1), r('x', [1])]).txn(1, [r('x', [1]), a('x', 2)]).txn(0, [r('x', [1, 2])]);
    const res = check(h);
    assert.equal(res.valid, true, res.summary);
    assert.deepEqual(res.anomalyTypes, []);
  });

  test('G0: write cycle, with why each ww edge exists', () => {
    const h = new TxnHistory()
      .invoke(0, [a('x', 1), a('y', 2)]).invoke(1, [a('x', 2), a('y', 1)]).ok(0).ok(1)
      .txn(2, [r('x', [1, 2]), r('y', [1, 2])]);
    const res = check(h, ['read-uncommitted']);
    assert.equal(res.valid, false);
    const [c] = cycles(res, 'G0');
    assert.ok(c, JSON.stringify(res.anomalyTypes));
    assert.equal(c.txns.length, 2);
    assert.deepEqual(c.steps.map((s) => s.type), ['ww', 'ww']);
    assert.deepEqual(c.txns.map((t) => t.index).sort(), [0, 1]);
    const whys = c.steps.map((s) => s.why).join(' | ');
    assert.match(whys, /appended 2 to key "x" right after T\d's append of 1, since the txn at op 4 \(process 2\) read \[1 2\]/);
    assert.match(whys, /appended 2 to key "y" right after T\d's append of 1/);
  });

  test('G1c: circular information flow', () => {
    const h = new TxnHistory()
      .invoke(0, [a('x', 1), r('y', null)]).invoke(1, [a('y', 1), r('x', null)])
      .ok(0, [a('x', 1), r('y', [1])]).ok(1, [a('y', 1), r('x', [1])]);
    const res = check(h, ['read-committed']);
    assert.equal(res.valid, false);
    const [c] = cycles(res, 'G1c');
    assert.deepEqual(c!.steps.map((s) => s.type), ['wr', 'wr']);
    assert.match(c!.steps[0]!.why, /read key "[xy]" as \[1\], seeing T\d's append of 1/);
    assert.equal(cycles(res, 'G0').length, 0);
  });

  test('G-single: read skew, invalid under snapshot isolation', () => {
    const h = new TxnHistory()
      .invoke(0, [r('x', null), r('y', null)]).invoke(1, [a('x', 1), a('y', 1)])
      .ok(1).ok(0, [r('x', []), r('y', [1])])
      .txn(2, [r('x', [1])]);
    const res = check(h, ['snapshot-isolation']);
    assert.equal(res.valid, false);
    const [c] = cycles(res, 'G-single');
    assert.deepEqual(c!.steps.map((s) => s.type).sort(), ['rw', 'wr']);
    const rw = c!.steps.find((s) => s.type === 'rw')!;
    assert.match(rw.why, /read key "x" as empty, missing T\d's append of 1, which came right after the empty list, since the txn at op 4 \(process 2\) read \[1\]/);
    assert.equal(check(h, ['read-committed']).valid, true);
  });

  test('G2-item: write skew is allowed by snapshot isolation, not by serializable', () => {
    const h = new TxnHistory()
      .invoke(0, [r('x', null), a('y', 1)]).invoke(1, [r('y', null), a('x', 1)])
      .ok(0, [r('x', []), a('y', 1)]).ok(1, [r('y', []), a('x', 1)])
      .txn(2, [r('x', [1]), r('y', [1])]);
    const si = check(h, ['snapshot-isolation']);
    assert.equal(si.valid, true, si.summary);
    assert.deepEqual(si.anomalyTypes, ['G2-item']);
    assert.ok(si.notes.some((n: string) => /allowed by snapshot-isolation: G2-item/.test(n)));
    const ser = check(h, ['serializable']);
    assert.equal(ser.valid, false);
    assert.deepEqual(cycles(ser, 'G2-item')[0]!.steps.map((s) => s.type), ['rw', 'rw']);
    assert.deepEqual(ser.notValidUnder, ['strict-serializable', 'serializable', 'repeatable-read']);
  });

  test('G1a: aborted read', () => {
    const h = new TxnHistory().invoke(0, [a('x', 1)]).fail(0).txn(1, [r('x', [1])]);
    const res = check(h, ['read-committed']);
    assert.equal(res.valid, false);
    const [x] = ops(res, 'G1a');
    assert.equal(x!.txn.index, 2);
    assert.match(x!.why, /appended by the txn at op 0 \(process 0\) which failed/);
    assert.equal(check(h, ['read-uncommitted']).valid, true);
  });

  test('G1b: intermediate read', () => {
    const h = new TxnHistory().invoke(0, [a('x', 1), a('x', 2)]).invoke(1, [r('x', null)]).ok(1, [r('x', [1])]).ok(0);
    const res = check(h, ['read-committed']);
    const [x] = ops(res, 'G1b');
    assert.ok(x);
    assert.match(x.why, /ending in 1, an intermediate append of the txn at op 0/);
    assert.equal(res.valid, false);
  });

  test('internal inconsistency, duplicate appends, garbage reads and incompatible orders are always invalid', () => {
    const internal = check(new TxnHistory().txn(0, [a('x', 1), r('x', [])]), ['read-uncommitted']);
    assert.equal(internal.valid, false);
    assert.match(ops(internal, 'internal')[0]!.why, /does not end with its own appends/);
    const internal2 = check(new TxnHistory().txn(0, [a('x', 1)]).txn(1, [r('x', [1]), a('x', 2), r('x', [1])]), ['read-uncommitted']);
    assert.match(ops(internal2, 'internal')[0]!.why, /must be \[1 2\]/);

    const dup = check(new TxnHistory().txn(0, [a('x', 1)]).txn(1, [r('x', [1, 1])]), ['read-uncommitted']);
    assert.deepEqual(dup.anomalyTypes, ['duplicate-appends']);
    assert.equal(dup.valid, false);

    const garbage = check(new TxnHistory().txn(0, [a('x', 1)]).txn(1, [r('x', [1, 99])]), ['read-uncommitted']);
    assert.deepEqual(garbage.anomalyTypes, ['garbage-read']);
    assert.match(ops(garbage, 'garbage-read')[0]!.why, /read 99 in key "x" \(\[1 99\]\), a value no txn ever appended/);

    const inc = check(new TxnHistory().txn(0, [a('x', 1)]).txn(1, [a('x', 2)]).txn(2, [r('x', [1, 2])]).txn(3, [r('x', [2, 1])]), ['read-uncommitted']);
    assert.ok(inc.anomalyTypes.includes('incompatible-order'), inc.anomalyTypes);
    assert.match(ops(inc, 'incompatible-order')[0]!.why, /not a prefix of \[1 2\]/);
  });

  test('G-single-realtime: a stale read after the append completed; fine for serializable, not strict', () => {
    const h = new TxnHistory().txn(0, [a('x', 1), r('x', [1])]).txn(1, [r('x', [])]);
    const strict = check(h, ['strict-serializable']);
    assert.equal(strict.valid, false);
    const [c] = cycles(strict, 'G-single-realtime');
    assert.ok(c, strict.anomalyTypes);
    assert.deepEqual(c.steps.map((s) => s.type).sort(), ['realtime', 'rw']);
    assert.match(c.steps.find((s) => s.type === 'realtime')!.why, /T\d completed \(op 1\) before T\d was invoked \(op 2\)/);
    assert.equal(check(h, ['serializable']).valid, true);
  });

  test('-process variants: the same process misses its own earlier append', () => {
    const h = new TxnHistory().txn(0, [a('x', 1)]).txn(0, [r('x', [])]).txn(1, [r('x', [1])]);
    const res = check(h, ['strict-serializable']);
    const [c] = cycles(res, 'G-single-process');
    assert.ok(c, res.anomalyTypes);
    assert.match(c.steps.find((s) => s.type === 'process')!.why, /ran on process 0, T\d first/);
    assert.ok(res.anomalyTypes.includes('G-single-realtime'));
    assert.equal(check(h, ['serializable']).valid, true);
  });

  test('G0-realtime and G1c-realtime', () => {
    // T1 appends x 1 and completes; T2 starts later, appends x 2, yet reads show 2 before 1
    const g0 = check(new TxnHistory().txn(0, [a('x', 1)]).txn(1, [a('x', 2)]).txn(2, [r('x', [2, 1])]));
    assert.ok(cycles(g0, 'G0-realtime').length === 1, g0.anomalyTypes);
    // T2 (later) wrote y which T1 (earlier) read
    const g1c = check(new TxnHistory().invoke(0, [r('y', null)]).ok(0, [r('y', [5])]).txn(1, [a('y', 5)]));
    assert.ok(cycles(g1c, 'G1c-realtime').length === 1, g1c.anomalyTypes);
  });

  test('info txns: an unobserved info append makes no edge; an observed one did commit', () => {
    const h = new TxnHistory().invoke(0, [a('x', 1)]).info(0).txn(1, [r('x', [])]);
    assert.equal(check(h).valid, true);
    const h2 = new TxnHistory().invoke(0, [a('x', 1), a('y', 1)]).info(0).txn(1, [r('x', [1]), r('y', [])]).txn(2, [r('y', [1])]);
    const res = check(h2, ['serializable']);
    assert.equal(res.valid, false);
    assert.ok(cycles(res, 'G-single').length === 1, res.anomalyTypes);
  });

  test('the result is plain JSON and the cycle lays out as a graph and an SVG', () => {
    const h = new TxnHistory()
      .invoke(0, [r('x', null), a('y', 1)]).invoke(1, [r('y', null), a('x', 1)])
      .ok(0, [r('x', []), a('y', 1)]).ok(1, [r('y', []), a('x', 1)])
      .txn(2, [r('x', [1]), r('y', [1])]);
    const res = check(h, ['serializable']);
    assert.deepEqual(JSON.parse(JSON.stringify(res)), res);
    const c = cycles(res, 'G2-item')[0]!;
    const l = cycleLayout(c);
    assert.equal(l.nodes.length, 2);
    assert.deepEqual(l.edges.map((e) => e.label).sort(), ['rw x', 'rw y']);
    const svg = cycleSvg(c);
    assert.match(svg, /^<svg [^>]*>.*<\/svg>$/s);
    assert.equal((svg.match(/<circle /g) ?? []).length, 2);
    assert.match(svg, /<title>T1 read key/);
  });
});

describe('rw-register', () => {
  test('G-single from the initial nil: read x nil but saw the same txn\'s y', () => {
    const h = new TxnHistory()
      .invoke(0, [w('x', 1), w('y', 1)]).invoke(1, [r('x', null), r('y', null)])
      .ok(0).ok(1, [r('x', null), r('y', 1)]);
    const res = check(h, ['snapshot-isolation'], 'rw-register');
    assert.equal(res.valid, false);
    const [c] = cycles(res, 'G-single');
    assert.ok(c, res.anomalyTypes);
    assert.match(c.steps.find((s) => s.type === 'rw')!.why, /read key "x" as nil, the initial state/);
  });

  test('writes follow reads give ww and rw: a lost update', () => {
    // T1 and T2 both read x = 1 (from T0) and then write x: one of the writes was lost
    const h = new TxnHistory()
      .txn(0, [w('x', 1)])
      .invoke(1, [r('x', null), w('x', 2)]).invoke(2, [r('x', null), w('x', 3)])
      .ok(1, [r('x', 1), w('x', 2)]).ok(2, [r('x', 1), w('x', 3)]);
    const res = check(h, ['serializable'], 'rw-register');
    assert.equal(res.valid, false, res.summary);
    assert.deepEqual(res.anomalyTypes, ['G2-item', 'lost-update']);
    assert.match(ops(res, 'lost-update')[0]!.why, /read key "x" as 1 and then wrote it/);
    assert.match(cycles(res, 'G2-item')[0]!.steps.map((s) => s.why).join(' '), /read key "x" as 1, which T\d overwrote with [23] \(it read 1 and then wrote\)/);
    assert.equal(check(h, ['read-committed'], 'rw-register').valid, true);
  });

  test('G1a, G1b, garbage and internal for registers', () => {
    assert.deepEqual(check(new TxnHistory().invoke(0, [w('x', 1)]).fail(0).txn(1, [r('x', 1)]), ['read-committed'], 'rw-register').anomalyTypes, ['G1a']);
    assert.deepEqual(check(new TxnHistory().invoke(0, [w('x', 1), w('x', 2)]).invoke(1, [r('x', null)]).ok(1, [r('x', 1)]).ok(0), ['read-committed'], 'rw-register').anomalyTypes, ['G1b']);
    assert.deepEqual(check(new TxnHistory().txn(1, [r('x', 7)]), ['read-committed'], 'rw-register').anomalyTypes, ['garbage-read']);
    assert.deepEqual(check(new TxnHistory().txn(1, [w('x', 7), r('x', 8)]), ['read-committed'], 'rw-register').anomalyTypes.includes('internal'), true);
  });

  test('a serial register history is valid', () => {
    const h = new TxnHistory().txn(0, [r('x', null), w('x', 1)]).txn(1, [r('x', 1), w('x', 2)]).txn(0, [r('x', 2), r('y', null)]);
    const res = check(h, ['strict-serializable'], 'rw-register');
    assert.equal(res.valid, true, JSON.stringify(res.anomalies));
  });
});

describe('bad input', () => {
  test('never throws; malformed txns are noted; no txns is unknown', () => {
    const bad: any[] = [null, 5, { f: 'txn', type: 'invoke', process: 0, index: 0, value: 'nope' }, { f: 'txn', type: 'ok', process: 0, index: 1, value: 'nope' },
      { f: 'txn', type: 'invoke', process: 1, index: 2, value: [['zap', 1, 2]] }, { f: 'txn', type: 'ok', process: 9, index: 3, value: [] }];
    const res = listAppendChecker(bad, { nodes: [], workload: {} }) as any;
    assert.equal(res.valid, 'unknown');
    assert.ok(res.notes.some((n: string) => /not an array of micro-ops/.test(n)));
    assert.ok(res.notes.some((n: string) => /"zap"/.test(n)));
    assert.equal((listAppendChecker('junk' as any, { nodes: [], workload: {} }) as any).valid, 'unknown');
  });

  test('models come from ctx.workload.consistencyModels; unknown ones are noted', () => {
    const h = new TxnHistory()
      .invoke(0, [r('x', null), a('y', 1)]).invoke(1, [r('y', null), a('x', 1)])
      .ok(0, [r('x', []), a('y', 1)]).ok(1, [r('y', []), a('x', 1)])
      .txn(2, [r('x', [1]), r('y', [1])]);
    assert.equal((listAppendChecker(h.ops, { nodes: [], workload: { consistencyModels: ['snapshot-isolation'] } }) as any).valid, true);
    assert.equal((listAppendChecker(h.ops, { nodes: [], workload: { consistencyModels: 'serializable' } }) as any).valid, false);
    const res = listAppendChecker(h.ops, { nodes: [], workload: { consistencyModels: ['bogus'] } }) as any;
    assert.ok(res.notes.some((n: string) => /unknown consistency model "bogus"/.test(n)));
    assert.deepEqual(res.models, ['strict-serializable']);
  });
});

