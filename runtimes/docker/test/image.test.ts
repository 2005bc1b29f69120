// The image is built from nothing (no registry here: the rootfs-import path), is recognised by its
// content hash afterwards, and holds a working node, iptables and tc. It bundles the kv fixture
// (a system-neutral node-script program), so removing its tag never pulls the image from under a
// real run on the same engine; a binary program goes in with its shared libraries.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { docker } from '../engine.ts';
import { ensureImage, imageExists, IMAGE_REPO, programCommand, pruneOldImages } from '../image.ts';
import { findBinary } from '../rootfs.ts';
import type { Program } from '../../../api/runtime.ts';
import { engineOrSkip } from './helpers.ts';
import { KV_PROGRAM } from './fixtures/kv-system.ts';
import { demux } from '../runtime.ts';

async function runInImage(tag: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const c = await docker().createContainer({ Image: tag, Cmd: cmd, Labels: { 'splitbrain.run': 'image-test' }, HostConfig: { CapAdd: ['NET_ADMIN'] } });
  try {
    await c.start();
    const { StatusCode } = await c.wait();
    const logs = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    return { code: StatusCode, out: demux(logs) };
  } finally {
    await c.remove({ force: true });
  }
}

test('the node image builds from nothing, is reused when unchanged, and holds node, iptables and tc', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const lines: string[] = [];
  const log = (l: string) => { lines.push(l); console.log(l); };
  const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('splitbrain-rootfs-')));
  const first = await ensureImage({ programs: [KV_PROGRAM], system: 'kv-fixture', log });
  // remove it (and so build from nothing), unless a container still uses it
  await docker().getImage(first.tag).remove({ force: true }).catch(() => {});
  assert.equal(await imageExists(first.tag), false);

  const built = await ensureImage({ programs: [KV_PROGRAM], system: 'kv-fixture', log });
  assert.equal(built.built, true);
  assert.equal(built.tag, first.tag, 'same inputs, same content-hash tag');
  assert.equal(await imageExists(built.tag), true);
  // no registry on this machine means path (b); elsewhere (a) may be chosen: either is printed
  assert.ok(lines.some((l) => l.includes(built.tag) && l.includes(built.how === 'rootfs-import' ? 'root filesystem' : 'Dockerfile')));

  const strayDirs = readdirSync(tmpdir()).filter((f) => f.startsWith('splitbrain-rootfs-') && !before.has(f));
  assert.deepEqual(strayDirs, [], 'the build directory is removed');

  const again = await ensureImage({ programs: [KV_PROGRAM], system: 'kv-fixture', log });
  assert.equal(again.built, false);
  assert.equal(again.tag, built.tag);

  const node = await runInImage(built.tag, ['/usr/local/bin/node', '-e', 'console.log(process.version)']);
  assert.equal(node.code, 0, node.out);
  assert.equal(node.out.trim(), process.version);
  if (built.how === 'rootfs-import') {
    const ipt = await runInImage(built.tag, ['/usr/sbin/iptables', '-V']);
    assert.equal(ipt.code, 0, ipt.out);
    assert.match(ipt.out, /iptables v\d/);
    // the extension modules the runtime's rules need (standard DROP, statistic) load in the image
    const rule = await runInImage(built.tag, ['/usr/sbin/iptables', '-A', 'INPUT', '-s', '10.213.0.9', '-m', 'statistic', '--mode', 'random', '--probability', '0.5', '-j', 'DROP']);
    assert.equal(rule.code, 0, rule.out);
    const tc = await runInImage(built.tag, ['/usr/sbin/tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb']);
    assert.equal(tc.code, 0, tc.out);
  }
});

test('pruneOldImages removes other splitbrain-node tags, never the one in use', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const current = await ensureImage({ programs: [KV_PROGRAM], system: 'kv-fixture', log: () => {} });
  const stale = `${IMAGE_REPO}:stale${process.pid}`;
  await docker().getImage(current.tag).tag({ repo: IMAGE_REPO, tag: stale.split(':')[1] });
  t.onTestFinished(() => docker().getImage(stale).remove().catch(() => {}));
  assert.equal(await imageExists(stale), true);
  // only our own stale tag: other runs on this engine may be about to use theirs
  const removed = await pruneOldImages(current.tag, 0, (tag) => tag === stale || tag === current.tag);
  assert.ok(removed.includes(stale), `removed: ${removed.join(', ')}`);
  assert.equal(await imageExists(stale), false);
  assert.equal(await imageExists(current.tag), true);
});

test('the image is labelled with its system, runs the bundled program, and carries a binary program with its libraries', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const bin = findBinary('sort'); // any dynamically linked host binary stands in for etcd or redis-server
  if (!bin) return assert.fail('no sort binary on this host');
  const programs: Program[] = [KV_PROGRAM, { kind: 'binary', name: 'sort', path: bin }];
  const img = await ensureImage({ programs, system: 'kv-fixture', log: (l) => console.log(l) });
  t.onTestFinished(() => docker().getImage(img.tag).remove().catch(() => {}));
  assert.match(img.tag, new RegExp(`^${IMAGE_REPO}:[0-9a-f]{16}$`));
  const info = await docker().getImage(img.tag).inspect();
  assert.equal(info.Config.Labels?.['splitbrain.system'], 'kv-fixture');
  assert.equal(info.Config.Labels?.['splitbrain.image'], 'node');
  assert.deepEqual(programCommand(KV_PROGRAM), ['/usr/local/bin/node', '/app/kvnode.mjs']);
  const script = await runInImage(img.tag, ['/usr/local/bin/node', '-e', "require('fs').accessSync('/app/kvnode.mjs'); console.log('bundled')"]);
  assert.equal(script.out.trim(), 'bundled', script.out);
  const sort = await runInImage(img.tag, [...programCommand(programs[1]!), '--version']);
  assert.equal(sort.code, 0, sort.out);
  assert.match(sort.out, /sort/);
  // a missing binary is refused before anything is built, naming it
  await assert.rejects(ensureImage({ programs: [{ kind: 'binary', name: 'nope', path: '/usr/bin/no-such-binary-here' }], system: 'x', log: () => {} }), /no-such-binary-here does not exist/);
});
