/**
 * Issue #18, finding 8, on a real maep process with --fsync always: a reader never sees a write
 * that a SIGKILL then takes back. Writers and readers race; the node is SIGKILLed mid-stream six
 * times; every value any reader saw must be there after the restart. Once more with compaction
 * every 50 ops, so kills also land while the snapshot is written and the log rewritten.
 */
import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from './procs.ts';

const dirs: string[] = [];
const clusters: Cluster[] = [];
afterAll(async () => { for (const c of clusters) await c.stopAll(); for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

async function quiet(url: string, init?: RequestInit): Promise<{ status: number; body: any } | null> {
  try { const r = await fetch(url, init); return { status: r.status, body: await r.json() }; } catch { return null; }
}

test.each([
  ['', []],
  [' (compacting every 50 ops)', ['--compact-after', '50']],
])('finding 8: under --fsync always no reader sees a value a SIGKILL takes back%s', { timeout: 120_000 }, async (_, extra) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-durable-'));
  dirs.push(dir);
  const c = await Cluster.create(dir, 1, () => ['--fsync', 'always', ...extra]);
  clusters.push(c);
  const seen = new Set<string>();
  let next = 0;
  for (let round = 0; round < 6; round++) {
    await c.start(0);
    const base = c.base(0);
    let stop = false;
    // readers aim at writes not yet acknowledged: the window where a non-durable value could show
    const inflight: string[] = [];
    const writer = async () => {
      while (!stop) {
        const k = `w${next++}`;
        inflight.push(k);
        await quiet(`${base}/kv/${k}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"value":1}' });
        inflight.splice(inflight.indexOf(k), 1);
      }
    };
    const reader = async () => {
      while (!stop) {
        const k = inflight[Math.floor(Math.random() * inflight.length)] ?? `w${next - 1}`;
        const r = await quiet(`${base}/kv/${k}`);
        if (r?.status === 200 && r.body.value === 1) seen.add(k);
      }
    };
    const loops = [...Array.from({ length: 4 }, writer), ...Array.from({ length: 8 }, reader)];
    await new Promise((r) => setTimeout(r, 300 + round * 100));
    await c.stop(0, 'SIGKILL');
    stop = true;
    await Promise.all(loops);
    await c.start(0);
    for (const k of seen) {
      const r = await quiet(`${base}/kv/${k}`);
      assert.equal(r?.body.value, 1, `round ${round}: a reader saw ${k}, gone after SIGKILL + restart`);
    }
    await c.stop(0, 'SIGKILL');
  }
  assert.ok(seen.size > 20, `readers saw ${seen.size} values`);
  if (extra.length > 0) {
    await c.start(0);
    const st = await quiet(`${c.base(0)}/admin/status`);
    assert.ok(st!.body.compactedOpCount > 0 && st!.body.snapshotBytes > 0, 'the node did compact');
    await c.stop(0, 'SIGKILL');
  }
});
