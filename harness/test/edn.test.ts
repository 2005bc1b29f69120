import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toEdn, opToEdn, historyToEdn, ednString } from '../history/edn.ts';
import type { Op } from '../../api/history.ts';

const op = (o: Partial<Op>): Op => ({ index: 0, time: 5, type: 'invoke', process: 0, f: 'read', value: null, ...o });

test('ops become Jepsen maps: keywords for type and f, :nemesis for the nemesis process', () => {
  assert.equal(opToEdn(op({})), '{:index 0, :time 5, :type :invoke, :process 0, :f :read, :value nil}');
  assert.equal(opToEdn(op({ type: 'info', process: 'nemesis', f: 'start-partition', value: { n1: ['n2'] } })),
    '{:index 0, :time 5, :type :info, :process :nemesis, :f :start-partition, :value {:n1 ["n2"]}}');
  assert.equal(opToEdn(op({ type: 'fail', f: 'transfer', value: { from: 1, to: 2, amount: 3 }, node: 'n1', error: 'insufficient "funds"' })),
    '{:index 0, :time 5, :type :fail, :process 0, :f :transfer, :value {:from 1, :to 2, :amount 3}, :node "n1", :error "insufficient \\"funds\\""}');
});

test('values: digit keys stay integers (bank balances), arrays are vectors, strings are escaped', () => {
  assert.equal(toEdn({ 0: 10, 1: -2 }), '{0 10, 1 -2}');
  assert.equal(toEdn([1, [2, null], 'a']), '[1 [2 nil] "a"]');
  assert.equal(toEdn({ 'has space': true }), '{"has space" true}');
  assert.equal(toEdn(1.5), '1.5');
  assert.equal(ednString('a\\b\n"c"'), '"a\\\\b\\n\\"c\\""');
});

test('history workload: appends and reads become Elle list-append txns; final reads are left out', () => {
  const ops: Op[] = [
    op({ index: 0, f: 'append', value: [1, 7] }),
    op({ index: 1, type: 'ok', f: 'append', value: [1, 7] }),
    op({ index: 2, process: 1, f: 'read', value: [1, null] }),
    op({ index: 3, type: 'ok', process: 1, f: 'read', value: [1, [7]] }),
    op({ index: 4, process: 2, f: 'final-read', value: null }),
    op({ index: 5, type: 'info', process: 'nemesis', f: 'heal', value: null }),
  ];
  const lines = historyToEdn(ops, 'history').trim().split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /:f :txn, :value \[\[:append 1 7\]\]/);
  assert.match(lines[3]!, /:f :txn, :value \[\[:r 1 \[7\]\]\]/);
  assert.match(lines[4]!, /:process :nemesis, :f :heal/);
  // other workloads keep the recorded shape
  assert.match(historyToEdn(ops, 'lww').split('\n')[0]!, /:f :append, :value \[1 7\]/);
});

/** a tiny EDN reader for the subset the writer emits, to check round trips */
function readEdn(s: string): unknown {
  let i = 0;
  const ws = () => { while (i < s.length && /[\s,]/.test(s[i]!)) i++; };
  const val = (): unknown => {
    ws();
    const c = s[i]!;
    if (c === '[') { i++; const out: unknown[] = []; for (;;) { ws(); if (s[i] === ']') { i++; return out; } out.push(val()); } }
    if (c === '{') { i++; const out: Record<string, unknown> = {}; for (;;) { ws(); if (s[i] === '}') { i++; return out; } const quoted = s[i] === '"'; const k = val(); out[quoted ? String(k) : String(k).replace(/^:/, '')] = val(); } }
    if (c === '"') { i++; let out = ''; while (s[i] !== '"') { if (s[i] === '\\') { i++; out += ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[s[i]!] ?? s[i]; } else out += s[i]; i++; } i++; return out; }
    const m = /^[^\s,\]}]+/.exec(s.slice(i))![0];
    i += m.length;
    if (m === 'nil') return null;
    if (m === 'true') return true;
    if (m === 'false') return false;
    if (m.startsWith(':')) return m;
    return Number(m);
  };
  return val();
}

test('JSON values survive the trip through EDN (strings, numbers, nesting)', () => {
  const json = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ minLength: 1 }).filter((k) => !/^[a-zA-Z*+!_?<>=-]/.test(k) && !/^-?\d+$/.test(k)), tie('v'), { maxKeys: 3, noNullPrototype: true })),
  })).v;
  fc.assert(fc.property(json, (v) => {
    assert.deepEqual(readEdn(toEdn(v)), v);
  }));
});

import { readEdnHistory, readHistoryFile, isJsonl } from '../history/edn-read.ts';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

test('readEdnHistory: what historyToEdn wrote reads back to the same ops', () => {
  const ops: Op[] = [
    op({ index: 0, f: 'transfer', value: { from: 1, to: 2, amount: 3 } }),
    op({ index: 1, type: 'fail', f: 'transfer', value: { from: 1, to: 2, amount: 3 }, node: 'n1', error: 'insufficient "funds"' }),
    op({ index: 2, process: 3, f: 'read', value: null }),
    op({ index: 3, type: 'ok', process: 3, f: 'read', value: { 0: 10, 1: -2 } }),
    op({ index: 4, type: 'info', process: 'nemesis', f: 'start-partition', value: { n1: ['n2', 'n3'] } }),
    op({ index: 5, process: 4, f: 'txn', value: [['append', 1, 2], ['r', 3, null], ['w', 'k', 7]] }),
    op({ index: 6, type: 'ok', process: 4, f: 'txn', value: [['append', 1, 2], ['r', 3, [1, 2]], ['w', 'k', 7]] }),
  ];
  const text = historyToEdn(ops, 'bank');
  assert.match(text, /:f :txn, :value \[\[:append 1 2\] \[:r 3 nil\] \[:w "k" 7\]\]/);
  assert.deepEqual(readEdnHistory(text), ops);
});

test('readEdnHistory: the history workload comes back as the same list-append txn forms', () => {
  const ops: Op[] = [
    op({ index: 0, f: 'append', value: [1, 7] }),
    op({ index: 1, type: 'ok', f: 'append', value: [1, 7] }),
    op({ index: 2, process: 1, f: 'read', value: [1, null] }),
    op({ index: 3, type: 'ok', process: 1, f: 'read', value: [1, [7]] }),
  ];
  const back = readEdnHistory(historyToEdn(ops, 'history'));
  assert.deepEqual(back.map((o) => [o.index, o.type, o.f, o.value]), [
    [0, 'invoke', 'txn', [['append', 1, 7]]], [1, 'ok', 'txn', [['append', 1, 7]]],
    [2, 'invoke', 'txn', [['r', 1, null]]], [3, 'ok', 'txn', [['r', 1, [7]]]],
  ]);
});

test('readEdnHistory: Jepsen shapes (a vector of maps, sets, lists, keywords, comments, multi-line maps)', () => {
  const vec = '[{:type :invoke, :f :txn, :value [[:append 5 1] [:r 6 nil]], :time 10, :process 0, :index 0}\n {:type :ok, :f :txn, :value [[:append 5 1] [:r 6 [1 2]]], :time 20, :process 0, :index 1}]';
  const v = readEdnHistory(vec);
  assert.deepEqual(v[1]!.value, [['append', 5, 1], ['r', 6, [1, 2]]]);
  const lines = '; a comment\n{:type :info, :f :kill, :value #{"n1" "n2"}, :process :nemesis, :time 3}\n{:type :invoke, :f :read,\n :value (1 2), :process 2, :time 4, :error [:timeout "slow"]}\n';
  const l = readEdnHistory(lines);
  assert.deepEqual(l.map((o) => [o.index, o.process, o.f, o.value]), [[0, 'nemesis', 'kill', ['n1', 'n2']], [1, 2, 'read', [1, 2]]]);
  assert.equal(l[1]!.error, '["timeout","slow"]');
});

test('readEdnHistory: a file that is not a history gets one clear error with the line', () => {
  assert.throws(() => readEdnHistory('{:type :invoke, :f :r, :process 0}\n{:type :bogus, :f :r, :process 0}\n'), /line 2: expected :type to be :invoke, :ok, :fail or :info, saw "bogus"/);
  assert.throws(() => readEdnHistory('{:type :ok, :f :r, :process 0}\n42\n'), /line 2: expected an op map like \{:type :invoke.*saw 42/);
  assert.throws(() => readEdnHistory('{:type :ok, :f :r, :process 0}\n{:type :ok, :f :r\n'), /line 2: .*never closes/);
  assert.throws(() => readEdnHistory('{:type :ok, :f :r, :process "x"}'), /line 1: expected :process to be an integer or :nemesis/);
  assert.throws(() => readEdnHistory('[1 2]'), /op 1 of the vector: expected an op map/);
});

test('readHistoryFile reads our JSONL and EDN alike', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edn-test-'));
  try {
    const ops: Op[] = [op({ index: 0, f: 'txn', value: [['append', 1, 2]] }), op({ index: 1, type: 'ok', f: 'txn', value: [['append', 1, 2]] })];
    writeFileSync(join(dir, 'h.jsonl'), ops.map((o) => JSON.stringify(o)).join('\n') + '\n');
    writeFileSync(join(dir, 'h.edn'), historyToEdn(ops));
    assert.deepEqual(readHistoryFile(join(dir, 'h.jsonl')), ops);
    assert.deepEqual(readHistoryFile(join(dir, 'h.edn')), ops);
    assert.equal(isJsonl('{"index":0}'), true);
    assert.equal(isJsonl('{:index 0}'), false);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('property: any op with JSON values survives historyToEdn then readEdnHistory', () => {
  const key = fc.oneof(fc.string(), fc.constantFrom('from', 'to', 'a-b', 'x?', '0', '12', '-3', '+', '-', '+1', 'a b', 'nil', ':k', 'a/b', '01'));
  const json = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)), fc.string(), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 3, noNullPrototype: true })),
  })).v;
  const anOp = fc.record({
    index: fc.nat(), time: fc.nat(), type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
    process: fc.oneof(fc.nat(100), fc.constant('nemesis')), f: fc.constantFrom('read', 'write', 'cas', 'start-partition', 'txn', 'x?', 'final-read'),
    value: json, node: fc.option(fc.string(), { nil: undefined }), error: fc.option(fc.string(), { nil: undefined }),
  }).map((o) => { const x: any = { ...o }; if (x.node === undefined) delete x.node; if (x.error === undefined) delete x.error; if (x.f === 'txn') x.value = [['append', 1, x.value], ['r', 2, null]]; return x as Op; });
  fc.assert(fc.property(fc.array(anOp, { maxLength: 6 }), (ops) => {
    assert.deepEqual(readEdnHistory(historyToEdn(ops)), ops);
  }), { numRuns: 300 });
});
