// The nemesis composer against a fake Runtime that records calls: what is recorded, in which order
// runtime calls happen, and that healAll undoes everything. Unit tests of orchestration only; the
// faults' effect on real nodes is tested in real-faults.test.ts.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createNemesis, parseNemesisKinds, parsePartitionShape, FAULT_KINDS } from '../index.ts';
import type { NemesisOptions, FaultKind } from '../../api/fault.ts';
import type { Op } from '../../api/history.ts';
import { fakeContext, until, type Call } from './fake-runtime.ts';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const opts = (kinds: FaultKind[], extra: Partial<NemesisOptions> = {}): NemesisOptions =>
  ({ kinds, intervalS: 0.004, partitionShape: 'cycle', clockSkewMs: 1000, ...extra });
const FAST = { clock: { strobePeriodMs: 1, strobeDurationMs: 6 }, inflightWaitMs: 10_000 };
const nemOps = (ops: Op[]) => ops.filter((o) => o.process === 'nemesis');
const lastIndex = <T>(xs: readonly T[], p: (x: T) => boolean) => { for (let i = xs.length - 1; i >= 0; i--) if (p(xs[i]!)) return i; return -1; };

/** runs the nemesis until `stopWhen` holds (checked on every record), then aborts and heals */
async function runUntil(kinds: FaultKind[], seed: number, stopWhen: (ops: Op[]) => boolean, extra: Partial<NemesisOptions> = {}) {
  const ac = new AbortController();
  const nem = createNemesis(opts(kinds, extra), FAST);
  const ctx = fakeContext(NODES, seed, () => { if (stopWhen(ctx.ops)) ac.abort(); });
  const running = nem.run(ctx, ac.signal);
  await until(() => ac.signal.aborted);
  await running;
  const activeBeforeHeal = nem.active();
  const callsBeforeHeal = ctx.runtime.calls.length;
  const opsBeforeHeal = ctx.ops.length;
  await nem.healAll(ctx);
  return { ctx, nem, activeBeforeHeal, callsBeforeHeal, opsBeforeHeal };
}

/** every start/stop is an info op followed at once by an info completion with the same f and value */
function assertPairs(ops: Op[]) {
  const list = nemOps(ops);
  assert.equal(list.length % 2, 0, 'ops come in pairs');
  for (let i = 0; i < list.length; i += 2) {
    const [a, b] = [list[i]!, list[i + 1]!];
    assert.equal(a.type, 'info'); assert.equal(b.type, 'info');
    assert.equal(a.f, b.f);
    assert.deepEqual(a.value, b.value);
    assert.match(a.f, /^(start|stop)-(partition|pause|kill|clock|link)$/);
    assert.equal(a.error, undefined, 'the invoke carries no error');
  }
  return list.filter((_, i) => i % 2 === 1);
}

test('parseNemesisKinds: lists, none, all, and clear errors', () => {
  assert.deepEqual(parseNemesisKinds('partition'), ['partition']);
  assert.deepEqual(parseNemesisKinds(' partition, clock ,partition'), ['partition', 'clock']);
  assert.deepEqual(parseNemesisKinds('none'), []);
  assert.deepEqual(parseNemesisKinds('Pause,KILL'), ['pause', 'kill']);
  assert.throws(() => parseNemesisKinds('partition,fire'), (e: Error) =>
    /"fire"/.test(e.message) && FAULT_KINDS.every((k) => e.message.includes(k)));
  assert.throws(() => parseNemesisKinds('none,pause'), /"none" cannot be combined/);
  assert.throws(() => parseNemesisKinds('all'), /unknown fault kind "all"/);
  assert.throws(() => parseNemesisKinds(' , '), /no fault kind/);
  assert.equal(parsePartitionShape('bridge'), 'bridge');
  assert.equal(parsePartitionShape('cycle'), 'cycle');
  assert.throws(() => parsePartitionShape('triangle'), (e: Error) => /"triangle"/.test(e.message) && /majorities-ring/.test(e.message));
});

test('partition: each start installs the recorded grudge, each stop heals; cycle walks the shapes', async () => {
  const { ctx, nem, activeBeforeHeal } = await runUntil(['partition'], 11, (ops) => nemOps(ops).length >= 16);
  const done = assertPairs(ctx.ops);
  const starts = done.filter((o) => o.f === 'start-partition');
  assert.deepEqual(starts.slice(0, 4).map((o) => (o.value as { shape: string }).shape), ['halves', 'one', 'majorities-ring', 'bridge']);
  // the runtime saw exactly: partition(grudge of start i), heal, partition(...), heal, …
  const calls = ctx.runtime.calls;
  let ci = 0;
  for (const op of done) {
    const c = calls[ci++]!;
    if (op.f === 'start-partition') assert.deepEqual(c, { m: 'partition', grudge: (op.value as { grudge: unknown }).grudge });
    else assert.deepEqual(c, { m: 'heal' });
  }
  // the heal: if a partition was left on, a stop was recorded for it; nothing is active after
  const last = done.at(-1)!;
  if (activeBeforeHeal.length) { assert.equal(last.f, 'stop-partition'); assert.match(activeBeforeHeal[0]!, /^partition /); }
  assert.deepEqual(nem.active(), []);
  assert.equal(nemOps(ctx.ops).filter((o) => o.f === 'heal').length, 0, 'the runner, not the nemesis, records "heal"');
  assert.ok(calls.slice(ci).some((c) => c.m === 'heal'), 'healAll heals the network defensively');
  assert.ok(ctx.lines.some((l) => /^nemesis: start partition halves/.test(l)), ctx.lines.join('\n'));
});

test('the same seed gives the same faults and targets', async () => {
  const values = async (seed: number) => {
    const { ctx } = await runUntil([...FAULT_KINDS], seed, (ops) => nemOps(ops).length >= 40);
    return nemOps(ctx.ops).slice(0, 40).map((o) => [o.f, o.value]);
  };
  const a = await values(5), b = await values(5), c = await values(6);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('healAll with several faults on at once stops each, in order, and heals every kind', async () => {
  let found = false;
  for (let seed = 1; seed < 60 && !found; seed++) {
    let nem!: ReturnType<typeof createNemesis>;
    const ac = new AbortController();
    nem = createNemesis(opts([...FAULT_KINDS]), FAST);
    const ctx = fakeContext(NODES, seed, (op) => {
      if (nem.active().length >= 3 && nemOps(ctx.ops).length % 2 === 0) ac.abort();
      if (nemOps(ctx.ops).length > 400) ac.abort();
    });
    const running = nem.run(ctx, ac.signal);
    await until(() => ac.signal.aborted);
    await running;
    const before = nem.active();
    if (before.length < 3) continue;
    found = true;
    const activeKinds = before.map((l) => l.split(' ')[0]!);
    const from = ctx.runtime.calls.length, opFrom = ctx.ops.length;
    await nem.healAll(ctx);
    const heal = ctx.ops.slice(opFrom);
    const stops = assertPairs(heal);
    // one stop per active kind, network first: partition, link, pause, kill, clock
    const order = ['partition', 'link', 'pause', 'kill', 'clock'];
    assert.deepEqual(stops.map((o) => o.f), order.filter((k) => activeKinds.includes(k)).map((k) => 'stop-' + k));
    assert.deepEqual(nem.active(), []);
    const calls = ctx.runtime.calls.slice(from);
    // defensive steps cover every kind on every node
    assert.ok(calls.some((c) => c.m === 'heal'), 'defensive heal');
    assert.ok(calls.some((c) => c.m === 'clearLinks'), 'defensive clearLinkFaults');
    for (const n of NODES) {
      assert.ok(calls.some((c) => c.m === 'resume' && c.node === n), `resume ${n}`);
      const clockCalls = ctx.runtime.calls.filter((c): c is Extract<Call, { m: 'clock' }> => c.m === 'clock' && c.node === n);
      if (clockCalls.length) assert.equal(clockCalls.at(-1)!.offsetMs, 0, `${n}'s clock ends at 0`);
    }
    // every node ever killed was restarted after its last kill
    for (const n of NODES) {
      const lastKill = lastIndex(ctx.runtime.calls, (c) => c.m === 'kill' && c.node === n);
      if (lastKill >= 0) assert.ok(ctx.runtime.calls.findIndex((c, i) => i > lastKill && c.m === 'restart' && c.node === n) > lastKill, `restart ${n}`);
    }
    // nothing is started after the heal began
    assert.ok(!calls.some((c) => c.m === 'partition' || c.m === 'pause' || c.m === 'kill' || c.m === 'link'), 'no fault started during the heal');
  }
  assert.ok(found, 'some seed had three faults on at once');
});

test('pause and kill never target the same node at once', async () => {
  const { ctx } = await runUntil(['pause', 'kill'], 3, (ops) => nemOps(ops).length >= 120);
  const paused = new Set<string>(), killed = new Set<string>();
  for (const c of ctx.runtime.calls) {
    if (c.m === 'pause') { assert.ok(!killed.has(c.node), `pause of killed ${c.node}`); paused.add(c.node); }
    if (c.m === 'kill') { assert.ok(!paused.has(c.node), `kill of paused ${c.node}`); killed.add(c.node); }
    if (c.m === 'resume') paused.delete(c.node);
    if (c.m === 'restart') killed.delete(c.node);
  }
  assert.equal(paused.size + killed.size, 0, 'all resumed and restarted at the end');
});

test('a failing runtime call is recorded as an error and does not stop the heal', async () => {
  const nem = createNemesis(opts(['partition', 'clock']), FAST);
  const ac = new AbortController();
  const ctx = fakeContext(['n1', 'n2', 'n3'], 9, () => {
    if (nem.active().some((l) => l.startsWith('partition'))) ac.abort();
  });
  const failing = new Set(['heal', 'clock:n1']);
  ctx.runtime.hook = (c) => {
    const key = c.m === 'clock' ? `clock:${c.node}` : c.m;
    return failing.has(key) && (c.m === 'heal' || (c.m === 'clock' && c.offsetMs === 0)) ? Promise.reject(new Error(`no ${key}`)) : undefined;
  };
  const running = nem.run(ctx, ac.signal);
  await until(() => ac.signal.aborted);
  await running;
  const from = ctx.runtime.calls.length;
  await nem.healAll(ctx);
  const stop = nemOps(ctx.ops).filter((o) => o.f === 'stop-partition').at(-1)!;
  assert.equal(stop.error, 'no heal');
  const calls = ctx.runtime.calls.slice(from);
  assert.equal(calls.filter((c) => c.m === 'heal').length, 2, 'the stop and the defensive heal both tried');
  for (const n of ['n1', 'n2', 'n3']) {
    assert.ok(calls.some((c) => c.m === 'resume' && c.node === n), `resume ${n}`);
    assert.ok(calls.some((c) => c.m === 'clock' && c.node === n && c.offsetMs === 0), `clock reset ${n}`);
  }
  const failedLines = ctx.lines.filter((l) => /^nemesis: heal step failed: /.test(l));
  assert.ok(failedLines.some((l) => /heal network: no heal$/.test(l)), ctx.lines.join('\n'));
  assert.ok(failedLines.some((l) => /clock n1 reset: no clock:n1$/.test(l)), ctx.lines.join('\n'));
  assert.match(ctx.lines.at(-1)!, /^nemesis: healed all faults \(2 step\(s\) failed/);
});

test('healAll waits for a fault action in flight, then undoes it', async () => {
  const nem = createNemesis(opts(['pause']), FAST);
  const ac = new AbortController();
  const ctx = fakeContext(NODES, 4);
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  ctx.runtime.hook = (c) => (c.m === 'pause' ? gate : undefined);
  const running = nem.run(ctx, ac.signal);
  await until(() => ctx.runtime.calls.some((c) => c.m === 'pause'));
  ac.abort();
  const healing = nem.healAll(ctx);
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(!ctx.runtime.calls.some((c) => c.m === 'resume'), 'no resume while the pause is still running');
  release();
  await healing; await running;
  const pausedNodes = ctx.runtime.calls.filter((c) => c.m === 'pause').map((c) => (c as { node: string }).node);
  for (const n of pausedNodes) {
    const p = lastIndex(ctx.runtime.calls, (c) => c.m === 'pause' && c.node === n);
    assert.ok(ctx.runtime.calls.findIndex((c, i) => i > p && c.m === 'resume' && c.node === n) > p, `resume ${n} after its pause`);
  }
  assert.deepEqual(nemOps(ctx.ops).map((o) => o.f), ['start-pause', 'start-pause', 'stop-pause', 'stop-pause']);
});

test('healAll does not wait forever for a hung runtime call', async () => {
  const nem = createNemesis(opts(['kill']), { ...FAST, inflightWaitMs: 30 });
  const ac = new AbortController();
  const ctx = fakeContext(NODES, 4);
  ctx.runtime.hook = (c) => (c.m === 'kill' ? new Promise<void>(() => {}) : undefined);
  void nem.run(ctx, ac.signal);
  await until(() => ctx.runtime.calls.some((c) => c.m === 'kill'));
  ac.abort();
  await nem.healAll(ctx);
  assert.ok(ctx.lines.some((l) => /still runs after 30 ms; healing anyway/.test(l)), ctx.lines.join('\n'));
  // the node being killed is restarted anyway (it was tracked before the kill call)
  const killed = (ctx.runtime.calls.find((c) => c.m === 'kill') as { node: string }).node;
  assert.ok(ctx.runtime.calls.some((c) => c.m === 'restart' && c.node === killed), `restart ${killed}`);
  assert.equal(nemOps(ctx.ops).at(-1)!.f, 'stop-kill');
});

test('healAll on a fresh nemesis heals defensively, and twice is harmless', async () => {
  const nem = createNemesis(opts([]), FAST);
  const ctx = fakeContext(['n1', 'n2', 'n3'], 1);
  await nem.healAll(ctx);
  const ms = ctx.runtime.calls.map((c) => c.m + ('node' in c ? ' ' + c.node : ''));
  assert.deepEqual(ms, ['heal', 'clearLinks', 'resume n1', 'resume n2', 'resume n3', 'clock n1', 'clock n2', 'clock n3']);
  assert.deepEqual(nemOps(ctx.ops), [], 'nothing was active, so nothing is recorded');
  assert.deepEqual(ctx.lines, ['nemesis: healed all faults']);
  await nem.healAll(ctx);
  assert.equal(ctx.runtime.calls.length, 16, 'the second heal repeats the defensive steps');
  assert.deepEqual(ctx.lines, ['nemesis: healed all faults'], 'and logs nothing new');
});

test('run with no kinds does nothing and resolves after the abort', async () => {
  const nem = createNemesis(opts([]), FAST);
  const ctx = fakeContext(NODES, 1);
  const ac = new AbortController();
  const running = nem.run(ctx, ac.signal);
  await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  await running;
  assert.deepEqual(ctx.runtime.calls, []);
  assert.deepEqual(ctx.ops, []);
});

test('clock strobe flips offsets and ends on them; healAll resets every node to 0', async () => {
  const { ctx } = await runUntil(['clock'], 2, (ops) => nemOps(ops).filter((o) => o.f === 'start-clock' && (o.value as { mode: string }).mode === 'strobe').length >= 2);
  const strobe = nemOps(ctx.ops).find((o) => o.f === 'start-clock' && (o.value as { mode: string }).mode === 'strobe')!;
  const offsets = (strobe.value as { offsets: Record<string, number> }).offsets;
  for (const [n, off] of Object.entries(offsets)) {
    assert.ok(off !== 0 && Math.abs(off) <= 1000, `offset ${off}`);
    const seq = ctx.runtime.calls.filter((c): c is Extract<Call, { m: 'clock' }> => c.m === 'clock' && c.node === n).map((c) => c.offsetMs);
    // somewhere in the calls: off, 0, off, 0, …, off (7 steps for 6 ms at 1 ms)
    const at = seq.join(',').indexOf([off, 0, off, 0, off, 0, off].join(','));
    assert.ok(at >= 0, `${n}: ${seq.join(',')}`);
    assert.equal(seq.at(-1), 0);
  }
});

test('a start with no free target still gets its stop recorded, so every period closes', async () => {
  // one node: pause and kill compete for it, so one of them often finds nothing to do
  const nem = createNemesis(opts(['pause', 'kill']), FAST);
  const ac = new AbortController();
  const ctx = fakeContext(['n1'], 12, () => { if (nemOps(ctx.ops).length >= 40) ac.abort(); });
  const running = nem.run(ctx, ac.signal);
  await until(() => ac.signal.aborted);
  await running;
  await nem.healAll(ctx);
  const done = assertPairs(ctx.ops);
  const empty = done.filter((o) => o.f.startsWith('start-') && (o.value as { nodes: string[] }).nodes.length === 0);
  assert.ok(empty.length > 0, 'some start found no free node (else this test tests nothing)');
  for (const kind of ['pause', 'kill']) {
    const seq = done.filter((o) => o.f.endsWith('-' + kind)).map((o) => o.f.split('-')[0]);
    assert.deepEqual(seq, seq.map((_, i) => (i % 2 === 0 ? 'start' : 'stop')), `${kind}: ${seq.join(' ')}`);
  }
});
