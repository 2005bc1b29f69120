import { test } from 'node:test';
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
