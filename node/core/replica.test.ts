import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemNet } from './memnet.ts';
import type { ClientRequest } from './replica.ts';

const KEYS = ['a', 'b', 'c'];

const requestArb: fc.Arbitrary<ClientRequest> = fc.oneof(
  fc.record({ t: fc.constant('put' as const), key: fc.constantFrom(...KEYS), value: fc.integer({ min: 0, max: 99 }) }),
  fc.record({ t: fc.constant('cas' as const), key: fc.constantFrom(...KEYS), expected: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 99 })), new: fc.integer({ min: 0, max: 99 }) }),
  fc.record({ t: fc.constant('append' as const), key: fc.constantFrom(...KEYS), value: fc.integer({ min: 0, max: 999 }) }),
  fc.record({ t: fc.constant('transfer' as const), from: fc.integer({ min: 0, max: 3 }), to: fc.integer({ min: 0, max: 3 }), amount: fc.integer({ min: 1, max: 6 }) }),
);

type Action =
  | { a: 'client'; node: number; req: ClientRequest }
  | { a: 'deliver'; pick: number }
  | { a: 'dup'; pick: number }
  | { a: 'drop'; pick: number }
  | { a: 'tick'; node: number; ms: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ a: fc.constant('client' as const), node: fc.nat(4), req: requestArb }) },
  { weight: 6, arbitrary: fc.record({ a: fc.constant('deliver' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ a: fc.constant('dup' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ a: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ a: fc.constant('tick' as const), node: fc.nat(4), ms: fc.integer({ min: 1, max: 400 }) }) },
);

/**
 * Causal delivery as an invariant: what is visible from each origin is a prefix 1..vv[origin],
 * and every visible op's causal context is itself visible.
 */
function assertCausallyClosed(net: MemNet): void {
  for (const [id, r] of net.nodes) {
    const vv = r.versionVector();
    let visible = 0;
    for (const n of Object.values(vv)) visible += n;
    assert.equal(r.visibleOpCount(), visible, `${id}: visible ops form per-origin prefixes`);
    for (const op of r.allOps()) {
      if (op.seq > (vv[op.origin] ?? 0)) continue;
      for (const [o, c] of Object.entries(op.vv)) assert.ok((vv[o] ?? 0) >= c, `${id}: ${op.origin}:${op.seq} is visible but its context ${o}:${c} is not`);
    }
  }
}

/** everything a client can read from a node, for comparing replicas */
function snapshot(net: MemNet, id: string) {
  const r = net.node(id);
  return {
    registers: KEYS.map((k) => r.client({ t: 'get', key: k }).reply.body),
    histories: KEYS.map((k) => r.client({ t: 'history', key: k }).reply.body),
    bank: r.client({ t: 'bank' }).reply.body,
    root: r.merkleRoot(),
    ops: r.opCount(),
    visible: r.visibleOpCount(),
  };
}

test('3-5 replicas converge after arbitrary interleavings, duplicated and dropped messages, causally closed at every step', () => {
  // merkleOnly: version vectors may name no hole, so every hole is found by the Merkle walk
  fc.assert(fc.property(fc.integer({ min: 3, max: 5 }), fc.array(actionArb, { maxLength: 120 }), fc.integer(), fc.boolean(), (n, actions, seed, merkleOnly) => {
    const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    let s = seed >>> 0;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const net = MemNet.cluster(ids, { accounts: 4, merkleDepth: 2, maxOpsPerMessage: 7, maxListedHoles: merkleOnly ? 0 : 4096 }, rand);
    net.warmUp();
    let created = 0;
    for (const act of actions) {
      const k = net.inflight.length;
      switch (act.a) {
        case 'client': {
          const id = ids[act.node % n]!;
          const before = net.node(id).opCount();
          net.client(id, act.req);
          created += net.node(id).opCount() - before;
          break;
        }
        case 'deliver': if (k) net.deliver(act.pick % k); break;
        case 'dup': if (k) net.deliver(act.pick % k, true); break;
        case 'drop': if (k) net.drop(act.pick % k); break;
        case 'tick': { const id = ids[act.node % n]!; net.clocks.get(id)!.advance(act.ms); net.carry(id, net.node(id).tick()); break; }
      }
      assertCausallyClosed(net);
    }
    // heal: deliver what is in flight, then one anti-entropy session between every ordered pair
    net.settle();
    for (const a of ids) for (const b of ids) if (a !== b) net.syncPair(a, b);
    assertCausallyClosed(net);
    const snaps = ids.map((id) => snapshot(net, id));
    for (const sn of snaps) {
      assert.equal(sn.ops, created, 'every created op reached every replica');
      assert.equal(sn.visible, created, 'every op became visible');
      assert.deepEqual(sn, snaps[0]);
    }
    assert.equal((snaps[0]!.bank as { total: number }).total, 40, 'transfers conserve money');
  }), { seed: 20261121, numRuns: 200 });
});

test('causal delivery: an op stays invisible until its causal context is visible', () => {
  for (const unsafe of [false, true]) {
    const net = MemNet.cluster(['n1', 'n2', 'n3'], { unsafe: { noCausalDelivery: unsafe, noAntiEntropy: false, lwwNoTiebreak: false } });
    net.warmUp();
    net.cut.add('n1>n3');
    net.client('n1', { t: 'put', key: 'x', value: 1 });
    net.settle();
    net.client('n2', { t: 'put', key: 'y', value: 2 }); // n2 has seen x=1: y depends on it
    net.settle();
    const n3 = net.node('n3');
    assert.equal(n3.opCount(), 1, 'n3 holds y but not x');
    const y = n3.client({ t: 'get', key: 'y' }).reply.body.value;
    if (!unsafe) {
      assert.equal(y, null, 'y is not visible before x');
      assert.equal(n3.pendingOpCount(), 1);
    } else {
      assert.equal(y, 2, '--unsafe-no-causal-delivery shows y without x: the anomaly it enables');
    }
    net.cut.delete('n1>n3');
    net.syncPair('n3', 'n1');
    assert.equal(n3.client({ t: 'get', key: 'x' }).reply.body.value, 1);
    assert.equal(n3.client({ t: 'get', key: 'y' }).reply.body.value, 2);
    assert.equal(n3.pendingOpCount(), 0);
  }
});

test('history links form a provenance trail in causal order', () => {
  const net = MemNet.cluster(['n1', 'n2']);
  net.warmUp();
  net.client('n1', { t: 'append', key: 'h', value: 'a' });
  net.settle();
  net.client('n2', { t: 'append', key: 'h', value: 'b' });
  net.settle();
  const entries = net.node('n1').client({ t: 'history', key: 'h' }).reply.body.entries as { value: string; hash: string; links: string[] }[];
  assert.deepEqual(entries.map((e) => e.value), ['a', 'b']);
  assert.deepEqual(entries[1]!.links, [entries[0]!.hash]);
});

test('LWW: equal timestamps are broken by origin; --unsafe-lww-no-tiebreak lets replicas disagree', () => {
  for (const unsafe of [false, true]) {
    const net = MemNet.cluster(['n1', 'n2'], { unsafe: { noCausalDelivery: false, noAntiEntropy: false, lwwNoTiebreak: unsafe } });
    net.warmUp();
    // both clocks read the same wall time when they write concurrently
    net.clocks.get('n1')!.wall = net.clocks.get('n2')!.wall = 1_800_000_000_000;
    net.client('n1', { t: 'put', key: 'x', value: 'from n1' });
    net.client('n2', { t: 'put', key: 'x', value: 'from n2' });
    net.settle();
    const v1 = net.node('n1').client({ t: 'get', key: 'x' }).reply.body.value;
    const v2 = net.node('n2').client({ t: 'get', key: 'x' }).reply.body.value;
    if (!unsafe) {
      assert.equal(v1, 'from n2'); assert.equal(v2, 'from n2');
    } else {
      // each node applied its own write first, then the peer's with the same timestamp won
      assert.equal(v1, 'from n2'); assert.equal(v2, 'from n1');
      assert.equal(net.node('n1').merkleRoot(), net.node('n2').merkleRoot(), 'same op set, different answers');
    }
  }
});

test('bank: approval on the local view, so a partition lets both sides overdraw', () => {
  const net = MemNet.cluster(['n1', 'n2']);
  net.warmUp();
  const r0 = net.client('n1', { t: 'transfer', from: 0, to: 1, amount: 11 });
  assert.equal(r0.status, 409);
  assert.equal(r0.body.error, 'insufficient funds: account 0 has 10, transfer needs 11');
  net.cut.add('n1>n2'); net.cut.add('n2>n1');
  assert.equal(net.client('n1', { t: 'transfer', from: 0, to: 1, amount: 8 }).status, 200);
  assert.equal(net.client('n2', { t: 'transfer', from: 0, to: 2, amount: 8 }).status, 200);
  net.settle();
  net.cut.clear();
  net.syncPair('n1', 'n2');
  for (const id of ['n1', 'n2']) {
    const bank = net.node(id).client({ t: 'bank' }).reply.body as { balances: Record<string, number>; total: number };
    assert.equal(bank.balances['0'], -6);
    assert.equal(bank.total, 80);
  }
  assert.equal(net.client('n1', { t: 'transfer', from: 9, to: 1, amount: 1 }).status, 404);
  assert.equal(net.client('n1', { t: 'transfer', from: 1, to: 1, amount: 1 }).status, 400);
});

test('cas is judged on the local view', () => {
  const net = MemNet.cluster(['n1']);
  assert.equal(net.client('n1', { t: 'cas', key: 'k', expected: null, new: { a: 1, b: 2 } }).status, 200);
  const miss = net.client('n1', { t: 'cas', key: 'k', expected: 5, new: 6 });
  assert.equal(miss.status, 409);
  assert.deepEqual(miss.body.current, { a: 1, b: 2 });
  // key order does not matter for equality
  assert.equal(net.client('n1', { t: 'cas', key: 'k', expected: { b: 2, a: 1 }, new: 7 }).status, 200);
  assert.equal(net.node('n1').client({ t: 'get', key: 'k' }).reply.body.value, 7);
});

test('anti-entropy repairs a dropped push; --unsafe-no-anti-entropy never does', () => {
  for (const unsafe of [false, true]) {
    const net = MemNet.cluster(['n1', 'n2'], { antiEntropyIntervalMs: 500, unsafe: { noCausalDelivery: false, noAntiEntropy: unsafe, lwwNoTiebreak: false } });
    net.warmUp();
    net.client('n1', { t: 'put', key: 'x', value: 1 });
    net.inflight.length = 0; // the push is lost
    for (let i = 0; i < 20; i++) { net.tickAll(100); net.settle(); }
    assert.equal(net.node('n2').client({ t: 'get', key: 'x' }).reply.body.value, unsafe ? null : 1);
    assert.equal(net.node('n2').syncNow().sessions.length, unsafe ? 0 : 1);
  }
});

test('a node that lost its log and reused a seq still converges (the Merkle walk finds the twin)', () => {
  const net = MemNet.cluster(['n1', 'n2']);
  net.warmUp();
  net.client('n1', { t: 'put', key: 'x', value: 'old' });
  net.settle();
  // n1 "restarts" empty, as after losing unsynced writes, and reuses seq 1
  net.nodes.delete('n1');
  const fresh = MemNet.cluster(['n1', 'n2']).node('n1');
  net.nodes.set('n1', fresh);
  net.client('n1', { t: 'put', key: 'y', value: 'new' });
  net.syncPair('n1', 'n2');
  net.syncPair('n2', 'n1');
  assert.equal(net.node('n1').opCount(), 2);
  assert.equal(net.node('n2').opCount(), 2);
  assert.equal(net.node('n1').merkleRoot(), net.node('n2').merkleRoot());
  for (const id of ['n1', 'n2']) assert.equal(net.node(id).client({ t: 'get', key: 'x' }).reply.body.value, 'old');
});

test('failure detection: a silent peer becomes suspect, then alive again when it answers', () => {
  const net = MemNet.cluster(['n1', 'n2']);
  net.warmUp(10);
  const alive = () => (net.node('n1').client({ t: 'status' }).reply.body.peers as { alive: boolean }[])[0]!.alive;
  assert.equal(alive(), true);
  net.cut.add('n2>n1');
  for (let i = 0; i < 30; i++) { net.tickAll(200); net.settle(); }
  assert.equal(alive(), false);
  net.cut.clear();
  net.warmUp(2);
  assert.equal(alive(), true);
});
