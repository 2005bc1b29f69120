/**
 * Compaction in the core (issue #18, finding 9): replicas that compact at different times and
 * frontiers, under partitions, drops and redelivery, still converge to the fold of every op ever
 * created (what they would answer without compaction); a replica restored from its snapshot and
 * the ops it still holds answers exactly as before; a peer that was away across a compaction
 * takes the snapshot and catches up.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { FakeClock, MemNet } from './memnet.ts';
import { Replica, defaultReplicaOptions, type ClientRequest, type ReplicaOptions } from './replica.ts';
import type { Op } from './ops.ts';
import { snapshotFromPlain, snapshotToPlain, type Snapshot } from './snapshot.ts';

const KEYS = ['a', 'b', 'c'];
const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

const requestArb: fc.Arbitrary<ClientRequest> = fc.oneof(
  fc.record({ t: fc.constant('put' as const), key: fc.constantFrom(...KEYS), value: fc.integer({ min: 0, max: 99 }) }),
  fc.record({ t: fc.constant('cas' as const), key: fc.constantFrom(...KEYS), expected: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 99 })), new: fc.integer({ min: 0, max: 99 }) }),
  fc.record({ t: fc.constant('append' as const), key: fc.constantFrom(...KEYS), value: fc.integer({ min: 0, max: 999 }) }),
  fc.record({ t: fc.constant('transfer' as const), from: fc.integer({ min: 0, max: 3 }), to: fc.integer({ min: 0, max: 3 }), amount: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ t: fc.constant('txn' as const), ops: fc.array(fc.tuple(fc.constantFrom('append', 'w', 'r'), fc.constantFrom(...KEYS), fc.integer({ min: 0, max: 9 })).map(([f, k, v]) => [f, k, f === 'r' ? null : v]), { minLength: 1, maxLength: 3 }) }),
);

type Action =
  | { a: 'client'; node: number; req: ClientRequest }
  | { a: 'deliver'; pick: number }
  | { a: 'dup'; pick: number }
  | { a: 'drop'; pick: number }
  | { a: 'tick'; node: number; ms: number }
  | { a: 'isolate'; node: number }
  | { a: 'heal' }
  | { a: 'restart'; node: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ a: fc.constant('client' as const), node: fc.nat(4), req: requestArb }) },
  { weight: 6, arbitrary: fc.record({ a: fc.constant('deliver' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ a: fc.constant('dup' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ a: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ a: fc.constant('tick' as const), node: fc.nat(4), ms: fc.integer({ min: 1, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.record({ a: fc.constant('isolate' as const), node: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ a: fc.constant('heal' as const) }) },
  { weight: 1, arbitrary: fc.record({ a: fc.constant('restart' as const), node: fc.nat(4) }) },
);

/** everything a client can read, plus the Merkle root and version vector */
function reads(r: Replica) {
  const body = (req: ClientRequest) => r.client(req).reply.body;
  return {
    registers: KEYS.map((k) => body({ t: 'get', key: k })),
    histories: KEYS.map((k) => body({ t: 'history', key: k })),
    bank: body({ t: 'bank' }),
    txns: body({ t: 'txn-all' }),
    root: r.merkleRoot(),
    vv: r.versionVector(),
    visible: r.visibleOpCount(),
  };
}

/** the snapshot as it comes back from disk or the wire: plain form, msgpack, checked again */
function roundTrip(s: Snapshot): Snapshot {
  const back = snapshotFromPlain(packr.unpack(packr.pack(snapshotToPlain(s))));
  if (typeof back === 'string') throw new Error(back);
  return back;
}

function options(ids: string[], id: string, over: Partial<ReplicaOptions>): ReplicaOptions {
  return defaultReplicaOptions(id, { accounts: 4, seeds: ids.filter((x) => x !== id).map((x) => ({ id: x, addr: `mem:${x}` })), advertise: `mem:${id}`, ...over });
}

/** a replica started again from what its shell made durable: the last snapshot and the ops held */
function restarted(r: Replica, clock: FakeClock, random: () => number): Replica {
  const fresh = new Replica(r.opts, { wallNow: () => clock.wall, monoNow: () => clock.mono, random });
  if (r.compactedOpCount() > 0) assert.equal(fresh.loadSnapshot(roundTrip(r.snapshot())), null);
  fresh.restore([...r.allOps()]);
  return fresh;
}

test('replicas compacting at different times and frontiers, under partitions, drops, redelivery and restarts, converge to the fold of every op', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 4 }), fc.array(actionArb, { minLength: 40, maxLength: 150, size: 'max' }), fc.integer(), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 4, maxLength: 4 }), fc.boolean(), (n, actions, seed, thresholds, merkleOnly) => {
    const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    let s = seed >>> 0;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const net = new MemNet(rand);
    // each node its own threshold, so they compact at different moments and frontiers; a peer
    // away 3 s stops holding the frontier back and must take a snapshot when it is back
    const over = (i: number): Partial<ReplicaOptions> => ({ merkleDepth: 2, maxOpsPerMessage: 7, antiEntropyIntervalMs: 300, compactAfterOps: thresholds[i]!, forgetPeerAfterMs: 3000, maxListedHoles: merkleOnly ? 0 : 4096 });
    ids.forEach((id, i) => net.add(id, options(ids, id, over(i))));
    net.warmUp();
    const created: Op[] = [];
    for (const act of actions) {
      const k = net.inflight.length;
      switch (act.a) {
        case 'client': {
          const id = ids[act.node % n]!;
          const { fx } = net.node(id).client(act.req);
          created.push(...fx.persist);
          net.carry(id, fx);
          break;
        }
        case 'deliver': if (k) net.deliver(act.pick % k); break;
        case 'dup': if (k) net.deliver(act.pick % k, true); break;
        case 'drop': if (k) net.drop(act.pick % k); break;
        case 'tick': { const id = ids[act.node % n]!; net.clocks.get(id)!.advance(act.ms); net.carry(id, net.node(id).tick()); break; }
        case 'isolate': { const id = ids[act.node % n]!; for (const o of ids) if (o !== id) { net.cut.add(`${id}>${o}`); net.cut.add(`${o}>${id}`); } break; }
        case 'heal': net.cut.clear(); break;
        case 'restart': {
          const id = ids[act.node % n]!;
          net.nodes.set(id, restarted(net.node(id), net.clocks.get(id)!, rand));
          break;
        }
      }
    }
    // heal: everyone alive again, then anti-entropy between every ordered pair, twice (a snapshot
    // installed in the first round is passed on in the second)
    net.cut.clear();
    net.inflight.length = 0;
    for (const [id, c] of net.clocks) c.advance(0);
    for (let round = 0; round < 2; round++) {
      net.warmUp(3);
      for (const a of ids) for (const b of ids) if (a !== b) net.syncPair(a, b);
    }
    // the reference: one replica without compaction that holds every op ever created
    const ref = new Replica(options(ids, 'ref', { merkleDepth: 2, compactAfterOps: 0 }), { wallNow: () => 0, monoNow: () => 0, random: rand });
    ref.restore(created);
    const want = reads(ref);
    for (const id of ids) {
      const r = net.node(id);
      assert.deepEqual(reads(r), want, `${id} answers as the fold of all ${created.length} ops`);
      assert.equal(r.opCount() + r.compactedOpCount(), created.length, `${id}: every op is held or compacted`);
      // and restarting it from snapshot + held ops changes nothing
      const again = restarted(r, net.clocks.get(id)!, rand);
      assert.deepEqual(reads(again), reads(r), `${id} restored from its snapshot and tail`);
      assert.deepEqual(again.compactedFrontier(), r.compactedFrontier());
      assert.equal(again.opCount(), r.opCount());
    }
    assert.equal((want.bank as { total: number }).total, 40, 'transfers conserve money');
  }), { seed: 20261130, numRuns: 100 });
});

test('a peer away across a compaction takes the snapshot, then the ops above it, and converges', () => {
  const ids = ['n1', 'n2', 'n3'];
  const net = new MemNet(() => 0.5);
  for (const id of ids) net.add(id, options(ids, id, { compactAfterOps: 10, forgetPeerAfterMs: 5000, antiEntropyIntervalMs: 500 }));
  net.warmUp();
  net.client('n1', { t: 'put', key: 'early', value: 1 });
  net.settle();
  // n3 goes away; n1 and n2 go on writing
  for (const o of ['n1', 'n2']) { net.cut.add(`n3>${o}`); net.cut.add(`${o}>n3`); }
  for (let i = 0; i < 40; i++) { net.client(ids[i % 2]!, { t: 'put', key: `k${i % 5}`, value: i }); net.client('n2', { t: 'append', key: 'h', value: i }); }
  net.settle();
  // while n3 still counts, nothing it lacks may be compacted
  for (let i = 0; i < 10; i++) { net.tickAll(300); net.settle(); }
  assert.ok(net.node('n1').compactedOpCount() <= 1, 'n3 reported holding only the first op');
  // once it has been away longer than --forget-peer-after it no longer holds the frontier back
  for (let i = 0; i < 20; i++) { net.tickAll(300); net.settle(); }
  assert.equal(net.node('n1').compactedOpCount(), 81, 'n1 compacted everything');
  assert.equal(net.node('n1').opCount(), 0);
  net.cut.clear();
  for (let i = 0; i < 10; i++) { net.tickAll(300); net.settle(); }
  net.client('n1', { t: 'put', key: 'late', value: 2 });
  net.syncPair('n3', 'n1');
  const n3 = net.node('n3');
  assert.ok(n3.compactedOpCount() >= 81, 'n3 installed the snapshot');
  for (const id of ['n1', 'n2']) assert.deepEqual(reads(n3), reads(net.node(id)), `n3 answers as ${id}`);
  assert.equal(n3.client({ t: 'get', key: 'late' }).reply.body.value, 2);
  assert.equal(n3.client({ t: 'get', key: 'early' }).reply.body.value, 1);
});

test('a snapshot written with other settings is refused with the reason; one from a peer that does not cover this node is ignored', () => {
  const net = MemNet.cluster(['n1'], { compactAfterOps: 1 });
  for (let i = 0; i < 5; i++) net.client('n1', { t: 'put', key: 'x', value: i });
  net.tickAll(10);
  const snap = net.node('n1').snapshot();
  assert.equal(net.node('n1').compactedOpCount(), 5);
  const other = new Replica(defaultReplicaOptions('n1', { merkleDepth: 3 }), { wallNow: () => 0, monoNow: () => 0, random: Math.random });
  assert.match(other.loadSnapshot(snap) ?? '', /written with --merkle-depth 4, this node runs with 3/);
  const accounts = new Replica(defaultReplicaOptions('n1', { accounts: 3 }), { wallNow: () => 0, monoNow: () => 0, random: Math.random });
  assert.match(accounts.loadSnapshot(snap) ?? '', /holds 8 bank accounts, this node runs with --accounts 3/);
  assert.equal(snapshotFromPlain({ ...snapshotToPlain(snap), f: { n1: -1 } }), 'the snapshot frontier entry "n1" is not origin → count');
});

test('a snapshot whose frontier is implausibly far ahead is rejected (counted), so it cannot make an origin\'s later ops count as held', () => {
  const net = MemNet.cluster(['n1', 'n2'], { compactAfterOps: 1, maxSeqJump: 100 });
  net.warmUp();
  net.client('n1', { t: 'put', key: 'x', value: 1 });
  net.settle();
  const forged = net.node('n1').snapshot();
  forged.frontier = { n1: 1_000 };
  const fx = net.node('n2').receive('n1', { type: 'SNAPSHOT', s: 1, snapshot: forged });
  assert.deepEqual(fx.events.map((e) => e.type === 'rejected' && e.reason), ['seq-jump']);
  assert.equal(net.node('n2').compactedOpCount(), 0);
  net.client('n1', { t: 'put', key: 'x', value: 2 });
  net.settle();
  assert.equal(net.node('n2').client({ t: 'get', key: 'x' }).reply.body.value, 2, 'n1\'s next op still arrives');
});
