/**
 * Issue #18, findings 1, 5 and 6, on three real maep processes: any value the API accepts
 * replicates and reads back byte-for-byte everywhere (also after a restart); a value that cannot is
 * refused with a 4xx before it takes a sequence number; large values catch up in several frames.
 */
import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, http, metric } from './procs.ts';

const dirs: string[] = [];
const clusters: Cluster[] = [];
afterAll(async () => {
  for (const c of clusters) await c.stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function cluster(extra: (i: number) => string[] = () => []): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'maep-values-'));
  dirs.push(dir);
  const c = await Cluster.create(dir, 3, extra);
  clusters.push(c);
  await c.startAll();
  return c;
}

/** PUT a raw JSON value text; the answer's status */
async function putRaw(base: string, key: string, valueText: string): Promise<{ status: number; body: any }> {
  return http(base, 'PUT', `/kv/${encodeURIComponent(key)}`, `{"value":${valueText}}`);
}

test('finding 1: a value that cannot be encoded is refused before it takes a seq; later writes replicate', { timeout: 90_000 }, async () => {
  const c = await cluster();
  const big: Record<string, number> = {};
  for (let i = 0; i < 70_000; i++) big[`k${i}`] = i;
  const r = await putRaw(c.base(0), 'w', JSON.stringify(big));
  assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
  assert.match(r.body.error, /70000 keys; the limit is 65535/);
  for (let k = 0; k < 5; k++) assert.equal((await putRaw(c.base(0), `after${k}`, String(k))).status, 200);
  await c.converge();
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k < 5; k++) assert.deepEqual((await http(c.base(i), 'GET', `/kv/after${k}`)).body, { key: `after${k}`, value: k }, `n${i + 1} after${k}`);
    assert.deepEqual((await http(c.base(i), 'GET', '/kv/w')).body, { key: 'w', value: null });
  }
  // the refused write did not take a seq: n1's ops are 1..5
  assert.equal((await http(c.base(1), 'GET', '/admin/status')).body.versionVector.n1, 5);
});

/** JSON value texts, arbitrary plus the edge cases that did not survive msgpack */
const valueText = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__":1}', '{"a":{"__proto__":{"x":1}}}', '"\\ud800x"', '"x\\udc00"', '{"\\ud83d":1}', '"\\ud83d\\ude00"', '-0', '1e308', '5e-324', '9007199254740993', '{"1":1,"a":2,"0":3}', '[null,{"constructor":1}]', '{"":""}') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => JSON.stringify(s)) },
);

test('finding 6: every accepted value reads back exactly on every replica and after a restart; the rest is a 4xx', { timeout: 180_000 }, async () => {
  const c = await cluster();
  const accepted = new Map<string, string>();
  let refused = 0, n = 0;
  await fc.assert(fc.asyncProperty(valueText, async (text) => {
    const key = `v${n++}`;
    const r = await putRaw(c.base(0), key, text);
    if (r.status !== 200) {
      assert.ok(r.status >= 400 && r.status < 500, `status ${r.status} for ${text}`);
      assert.match(r.body.error, /\S/);
      refused++;
      return;
    }
    accepted.set(key, JSON.stringify({ key, value: JSON.parse(text) }));
  }), { seed: 18, numRuns: 150 });
  assert.ok(refused >= 3, `the edge cases were refused (${refused})`);
  assert.ok(accepted.size > 100);
  const check = async (label: string) => {
    await c.converge();
    for (let i = 0; i < 3; i++) {
      for (const [key, want] of accepted) {
        const got = await http(c.base(i), 'GET', `/kv/${encodeURIComponent(key)}`);
        assert.equal(got.text, want, `${label}: n${i + 1} ${key}`);
      }
    }
  };
  await check('before restart');
  await c.stop(0);
  await c.start(0);
  await check('after n1 restarted');
});

test('finding 5: a value over the cap is a 413 naming it; 20 values of 900 KB catch up in bounded frames', { timeout: 180_000 }, async () => {
  const c = await cluster(() => ['--fsync', 'never']);
  const over = await putRaw(c.base(0), 'huge', JSON.stringify('x'.repeat(1024 * 1024 - 100) + 'y'.repeat(200)).replace(/^"/, '"'));
  assert.equal(over.status, 413);
  assert.match(over.body.error, /1048576-byte limit/);
  const small = await Cluster.create(c.dir + '-small', 1);
  dirs.push(c.dir + '-small');
  clusters.push(small);
  await small.start(0, ['--max-value-bytes', '1000']);
  const capped = await putRaw(small.base(0), 'k', JSON.stringify('z'.repeat(2000)));
  assert.equal(capped.status, 413);
  assert.match(capped.body.error, /over the 1000-byte limit \(--max-value-bytes\)/);

  await c.stop(2);
  const value = (k: number) => String.fromCharCode(97 + k).repeat(900 * 1024);
  for (let k = 0; k < 20; k++) assert.equal((await putRaw(c.base(0), `big${k}`, JSON.stringify(value(k)))).status, 200);
  await c.start(2);
  await c.converge(60_000);
  for (let k = 0; k < 20; k++) assert.equal((await http(c.base(2), 'GET', `/kv/big${k}`)).body.value, value(k), `n3 big${k}`);
  const m = (await http(c.base(2), 'GET', '/metrics')).body as string;
  assert.equal(metric(m, 'maep_malformed_frames_total'), 0, 'no frame over the limit was refused');
});
