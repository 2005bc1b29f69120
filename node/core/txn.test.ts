/** The txn namespace in the pure core: execution, validation, and a fold that converges. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemNet } from './memnet.ts';
import { FoldedState } from './state.ts';
import { TxnState } from './txn.ts';
import { opFromWire, opToWire, type Op } from './ops.ts';

const txn = (net: MemNet, id: string, ops: unknown) => net.client(id, { t: 'txn', ops });
const all = (net: MemNet, id: string) => net.node(id).client({ t: 'txn-all' }).reply.body;

test('a txn reads its own writes, and reads the state as of its step', () => {
  const net = MemNet.cluster(['n1', 'n2']);
  net.warmUp();
  const r = txn(net, 'n1', [['r', 1, null], ['append', 1, 10], ['append', 1, 11], ['r', 1, null], ['w', 'x', 5], ['r', 'x', null], ['w', 'x', 6], ['r', 'x', null], ['r', 2, null]]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.ops, [['r', 1, null], ['append', 1, 10], ['append', 1, 11], ['r', 1, [10, 11]], ['w', 'x', 5], ['r', 'x', 5], ['w', 'x', 6], ['r', 'x', 6], ['r', 2, null]]);
  assert.equal(net.node('n1').opCount(), 1, 'all writes of a txn are one op');
  const r2 = txn(net, 'n1', [['r', 1, null], ['r', 'x', null]]);
  assert.deepEqual(r2.body.ops, [['r', 1, [10, 11]], ['r', 'x', 6]]);
  assert.equal(net.node('n1').opCount(), 1, 'a read-only txn creates no op');
  net.settle();
  assert.deepEqual(all(net, 'n2'), { keys: { 1: [10, 11], x: 6 } });
  // the txn keys are their own namespace
  assert.equal(net.node('n1').client({ t: 'get', key: 'x' }).reply.body.value, null);
  assert.deepEqual(net.node('n1').client({ t: 'history', key: '1' }).reply.body.entries, []);
});

test('bad micro-ops are refused with 400 and take no sequence number', () => {
  const net = MemNet.cluster(['n1']);
  const cases: [unknown, RegExp][] = [
    [[], /at least one micro-op/],
    ['nope', /must be a list of micro-ops/],
    [[['incr', 1, 1]], /micro-op 0: unknown function "incr"/],
    [[['append', 1, 1], ['r', 1]], /micro-op 1 must be a 3-element list/],
    [[['append', 1.5, 1]], /key must be a non-empty string or an integer/],
    [[['w', '', 1]], /key is empty/],
    [[['w', { a: 1 }, 1]], /key must be/],
    [[['w', '__proto__', 1]], /reserved/],
    [[['r', 1, 7]], /a read is \["r", key, null\]/],
    [[['append', 1, 1], ['w', 2, { __proto__x: 1, ['__proto__']: 2 }]], /write 1 of the txn .*__proto__/],
    [[['append', 1, 'bad \ud800']], /write 0 of the txn .*lone UTF-16 surrogate/],
  ];
  for (const [ops, re] of cases) {
    const r = txn(net, 'n1', ops);
    assert.equal(r.status, 400, JSON.stringify(ops));
    assert.match(String(r.body.error), re);
  }
  assert.equal(net.node('n1').opCount(), 0);
  assert.equal(txn(net, 'n1', [['append', 1, 1]]).body.id !== undefined, true);
  assert.equal(net.node('n1').opCount(), 1);
});

test('txn ops round-trip the wire; malformed txn payloads are rejected', () => {
  const net = MemNet.cluster(['n1']);
  txn(net, 'n1', [['append', 3, 1], ['w', 'k', { a: [1, 2] }]]);
  const op = [...net.node('n1').allOps()][0]!;
  assert.deepEqual(opFromWire(opToWire(op)), op);
  const bad = (payload: unknown) => { const w = opToWire(op); w[7] = payload; return opFromWire(w); };
  assert.match(String(bad({ writes: [] })), /writes array/);
  assert.match(String(bad({ writes: [['r', '1', null]]})), /writes must be/);
  assert.match(String(bad({ writes: [['append', 1, 2]] })), /writes must be/);
});

test('the fold is order-independent and appends land after what their txn read', () => {
  fc.assert(fc.property(fc.array(fc.record({ node: fc.nat(2), ops: fc.array(fc.tuple(fc.constantFrom('append', 'w', 'r'), fc.nat(3), fc.nat(99)), { minLength: 1, maxLength: 4 }), deliver: fc.nat(6), skew: fc.integer({ min: -50, max: 50 }) }), { maxLength: 40 }), fc.integer(), (steps, seed) => {
    const ids = ['n1', 'n2', 'n3'];
    const net = MemNet.cluster(ids);
    net.warmUp();
    const seen: { node: string; reads: Map<number, unknown[]>; appends: Map<number, unknown[]> }[] = [];
    let v = 0;
    for (const s of steps) {
      const id = ids[s.node]!;
      net.clocks.get(id)!.wall += s.skew; // skewed clocks: the order must not depend on them for causality
      const ops = s.ops.map(([f, k]) => [f, k, f === 'r' ? null : ++v]);
      const r = txn(net, id, ops);
      assert.equal(r.status, 200);
      const reads = new Map<number, unknown[]>(), appends = new Map<number, unknown[]>();
      for (const [f, k, x] of r.body.ops as [string, number, unknown][]) {
        if (f === 'r' && Array.isArray(x) && !appends.has(k)) reads.set(k, x);
        if (f === 'append') { if (!appends.has(k)) appends.set(k, []); appends.get(k)!.push(x); }
      }
      seen.push({ node: id, reads, appends });
      for (let i = 0; i < s.deliver && net.inflight.length > 0; i++) net.deliver((seed >>> 0) % net.inflight.length);
    }
    net.settle();
    for (const a of ids) for (const b of ids) if (a !== b) net.syncPair(a, b);
    const states = ids.map((id) => all(net, id));
    for (const st of states) assert.deepEqual(st, states[0]);
    // an append comes after everything its txn read of that key, on every replica
    const final = states[0]!.keys as Record<string, unknown>;
    for (const t of seen) for (const [k, read] of t.reads) {
      const mine = t.appends.get(k);
      if (!mine || !Array.isArray(final[k])) continue;
      const list = final[k] as unknown[];
      const at = (x: unknown) => list.indexOf(x);
      for (const x of read) for (const y of mine) assert.ok(at(x) < at(y), `${JSON.stringify(x)} was read before ${JSON.stringify(y)} was appended`);
    }
    // applying the same ops in another order folds to the same state
    const ops = [...net.node('n1').allOps()];
    const shuffled = [...ops].sort((a, b) => (a.id < b.id ? -1 : 1));
    const fold = (list: Op[]) => { const f = new FoldedState(1, 0); for (const op of list) f.apply(op); return f.txns.keys().map((k) => [k, f.txns.read(k)]); };
    assert.deepEqual(fold(shuffled), fold(ops));
  }), { seed: 16, numRuns: 100 });
});

test('a snapshot of the txn namespace folds on like the original', () => {
  const net = MemNet.cluster(['n1', 'n2']);
  net.warmUp();
  txn(net, 'n1', [['append', 1, 1], ['w', 'x', 1]]);
  txn(net, 'n2', [['append', 1, 2], ['w', 'x', 2]]);
  const ops = [...net.node('n1').allOps(), ...net.node('n2').allOps()];
  const full = new TxnState();
  for (const op of ops) full.apply(op);
  const half = new TxnState();
  half.apply(ops[1]!);
  const back = TxnState.fromSnapshot(JSON.parse(JSON.stringify(half.toSnapshot())));
  back.apply(ops[0]!);
  for (const k of full.keys()) assert.deepEqual(back.read(k), full.read(k));
  assert.deepEqual(back.keys(), full.keys());
});
