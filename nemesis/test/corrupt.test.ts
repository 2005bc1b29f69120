// The corrupt fault: seeded plans, the damage each mode does to a file, and its place in the
// composed nemesis (kill → damage → restart, the damage recorded, restarts retried by the heal).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../api/rng.ts';
import { CorruptFault, allFiles, damageFiles, PAGE_BYTES, FLIP_WINDOW, type CorruptTarget, type Damage } from '../corrupt.ts';
import { createNemesis, parseNemesisKinds } from '../index.ts';
import { FakeRuntime, fakeContext, until } from './fake-runtime.ts';

const NODES = ['n1', 'n2', 'n3'];

function tempDir(): string { return mkdtempSync(join(tmpdir(), 'sb-corrupt-')); }
function fill(path: string, bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 31 + 7) & 255;
  writeFileSync(path, b);
  return b;
}
const target = (over: Partial<CorruptTarget>): CorruptTarget => ({ node: 'n1', mode: 'bitflip', file: 0, at: 0.5, seed: 9, ...over });

/** a runtime whose nodes' data folders are temp folders */
class DataRuntime extends FakeRuntime {
  constructor(private readonly root: string) { super(); }
  dataPath(node: string): string { return join(this.root, node); }
}

test('bitflip flips 1–8 bits inside a 64-byte window and nothing else', () => {
  const dir = tempDir();
  try {
    for (let seed = 0; seed < 30; seed++) {
      const before = fill(join(dir, 'ops.log'), 10_000);
      const d = damageFiles(dir, ['ops.log'], target({ seed, at: seed / 30 }));
      const after = readFileSync(join(dir, 'ops.log'));
      assert.equal(after.length, before.length);
      let flipped = 0;
      for (let i = 0; i < after.length; i++) {
        const x = before[i]! ^ after[i]!;
        if (x === 0) continue;
        assert.ok(i >= d.offset! && i < d.offset! + FLIP_WINDOW, `byte ${i} in the window at ${d.offset}`);
        flipped += x.toString(2).replace(/0/g, '').length;
      }
      assert.equal(flipped, d.bits!.length);
      assert.ok(flipped >= 1 && flipped <= 8);
      assert.equal(d.file, 'ops.log');
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('truncate cuts at the offset; zero clears one aligned page', () => {
  const dir = tempDir();
  try {
    fill(join(dir, 'a'), 10_000);
    const t = damageFiles(dir, [join(dir, 'a')], target({ mode: 'truncate', at: 0.25 }));
    assert.deepEqual([t.offset, t.bytes, statSync(join(dir, 'a')).size], [2500, 7500, 2500]);

    const before = fill(join(dir, 'a'), 10_000);
    const z = damageFiles(dir, ['a'], target({ mode: 'zero', at: 0.5 }));
    assert.equal(z.offset, PAGE_BYTES);
    const after = readFileSync(join(dir, 'a'));
    for (let i = 0; i < after.length; i++) assert.equal(after[i], i >= PAGE_BYTES && i < 2 * PAGE_BYTES ? 0 : before[i], `byte ${i}`);
    // the last, short page
    fill(join(dir, 'a'), 9000);
    const last = damageFiles(dir, ['a'], target({ mode: 'zero', at: 0.99 }));
    assert.deepEqual([last.offset, last.bytes], [2 * PAGE_BYTES, 9000 - 2 * PAGE_BYTES]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('file choice: sorted, empty and missing files passed over; none → skipped', () => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir, 'sub'));
    fill(join(dir, 'b'), 100);
    writeFileSync(join(dir, 'empty'), '');
    fill(join(dir, 'sub', 'c'), 100);
    assert.deepEqual(allFiles(dir), [join(dir, 'b'), join(dir, 'empty'), join(dir, 'sub', 'c')]);
    assert.equal(damageFiles(dir, allFiles(dir), target({ file: 0 })).file, 'b');
    assert.equal(damageFiles(dir, allFiles(dir), target({ file: 0.99 })).file, join('sub', 'c'));
    assert.equal(damageFiles(dir, ['empty', 'gone'], target({})).skipped, 'no non-empty data file');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('plans are seeded: the same seed gives the same nodes, modes, files and offsets', () => {
  const plans = (seed: number) => { const f = new CorruptFault('mixed', 'minority'); const rng = new Rng(seed); return [0, 1, 2].map(() => f.plan({ nodes: NODES, rng, held: new Set() })); };
  assert.deepEqual(plans(4), plans(4));
  assert.notDeepEqual(plans(4), plans(5));
  const one = new CorruptFault('zero', 'one').plan({ nodes: NODES, rng: new Rng(1), held: new Set(['n1', 'n2']) });
  assert.deepEqual(one.nodes, ['n3'], 'held nodes are left alone');
  assert.equal(one.targets[0]!.mode, 'zero');
});

test('the composed nemesis: kill, damage, restart; the completion records the damage; a failed restart is retried by the heal', async () => {
  assert.deepEqual(parseNemesisKinds('corrupt,kill'), ['corrupt', 'kill']);
  const root = tempDir();
  try {
    for (const n of NODES) { mkdirSync(join(root, n)); fill(join(root, n, 'ops.log'), 5000); writeFileSync(join(root, n, 'cluster.key'), 'secret key 0123456789'); }
    const nem = createNemesis({ kinds: ['corrupt'], intervalS: 0.004, partitionShape: 'cycle', clockSkewMs: 0, corruptMode: 'truncate', corruptTargets: 'all', dataFiles: (d) => [join(d, 'ops.log')] });
    const ctx = fakeContext(NODES, 3);
    const rt = new DataRuntime(root);
    ctx.runtime = rt;
    let failRestart = true;
    rt.hook = (c) => (c.m === 'restart' && failRestart && c.node === 'n2' ? Promise.reject(new Error('refused to start')) : undefined);
    const ac = new AbortController();
    const running = nem.run(ctx, ac.signal);
    await until(() => ctx.ops.some((o) => o.f === 'start-corrupt' && (o.value as { damage?: unknown }).damage));
    ac.abort();
    await running;
    const done = ctx.ops.find((o) => o.f === 'start-corrupt' && (o.value as { damage?: unknown }).damage)!;
    const damage = (done.value as { damage: Damage[] }).damage;
    assert.deepEqual(damage.map((d) => [d.node, d.mode, d.file]), NODES.map((n) => [n, 'truncate', 'ops.log']));
    assert.match(String(done.error), /restart n2: refused to start/);
    for (const n of NODES) assert.equal(readFileSync(join(root, n, 'cluster.key'), 'utf8'), 'secret key 0123456789', 'only the files the system names');
    // kill every target first, then restart them
    const calls = rt.calls.map((c) => `${c.m}${'node' in c ? ' ' + c.node : ''}`);
    assert.deepEqual(calls.slice(0, 6).sort(), ['kill n1', 'kill n2', 'kill n3', 'restart n1', 'restart n2', 'restart n3']);
    assert.ok(calls.indexOf('restart n1') > calls.indexOf('kill n3'));
    assert.deepEqual(nem.active(), ['corrupt (down) n2']);
    // a heal while n2 still will not start: tried, still held, and the pause heal leaves it alone
    let mark = rt.calls.length;
    await nem.healAll(ctx);
    let healCalls = rt.calls.slice(mark).map((c) => `${c.m}${'node' in c ? ' ' + c.node : ''}`);
    assert.ok(healCalls.includes('restart n2') && !healCalls.includes('resume n2'), healCalls.join(', '));
    assert.deepEqual(nem.active(), ['corrupt (down) n2']);
    failRestart = false;
    mark = rt.calls.length;
    await nem.healAll(ctx);
    healCalls = rt.calls.slice(mark).map((c) => `${c.m}${'node' in c ? ' ' + c.node : ''}`);
    assert.ok(healCalls.includes('restart n2'), healCalls.join(', '));
    assert.deepEqual(nem.active(), []);
    assert.ok(ctx.ops.some((o) => o.f === 'stop-corrupt' && JSON.stringify(o.value) === '{"nodes":["n2"]}'));
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('a runtime without dataPath: the start fails, nothing is killed', async () => {
  const f = new CorruptFault();
  const rt = new FakeRuntime();
  await assert.rejects(f.apply(rt, f.plan({ nodes: NODES, rng: new Rng(1), held: new Set() })), /cannot reach a node's data files/);
  assert.deepEqual(rt.calls, []);
});

test('a node whose kill fails is neither damaged nor restarted', async () => {
  const root = tempDir();
  try {
    for (const n of NODES) { mkdirSync(join(root, n)); fill(join(root, n, 'ops.log'), 1000); }
    const rt = new DataRuntime(root);
    rt.hook = (c) => (c.m === 'kill' && c.node === 'n1' ? Promise.reject(new Error('no such process')) : undefined);
    const f = new CorruptFault('bitflip', 'all');
    const plan = f.plan({ nodes: NODES, rng: new Rng(2), held: new Set() });
    await assert.rejects(f.apply(rt, plan), /kill n1: no such process/);
    const damage = (f.applied() as { damage: Damage[] }).damage;
    assert.deepEqual(damage.map((d) => [d.node, d.skipped ?? d.file]), [['n1', 'kill failed'], ['n2', 'ops.log'], ['n3', 'ops.log']]);
    assert.ok(!rt.calls.some((c) => c.m === 'restart' && c.node === 'n1'));
    assert.deepEqual(f.held(), []);
  } finally { rmSync(root, { recursive: true, force: true }); }
});
