/**
 * Issue #18, finding 4, on three real maep processes: a damaged record in the middle of ops.log
 * costs that record only (the rest is kept, the damage reported on stderr, /admin/status and
 * /metrics, a copy kept), and anti-entropy brings the lost op back; --unsafe-truncate-on-corruption
 * restores the old truncating behaviour.
 */
import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecords } from '../storage/records.ts';
import { Cluster, http, metric } from './procs.ts';

const dir = mkdtempSync(join(tmpdir(), 'maep-corrupt-'));
let c: Cluster | undefined;
afterAll(async () => { await c?.stopAll(); rmSync(dir, { recursive: true, force: true }); });

test('finding 4: a bad record in the middle of the log is skipped, reported and repaired, never truncated', { timeout: 120_000 }, async () => {
  c = await Cluster.create(dir, 3, () => ['--fsync', 'never']);
  await c.startAll();
  for (let k = 0; k < 1000; k += 50) {
    const rs = await Promise.all(Array.from({ length: 50 }, (_, j) => http(c!.base(0), 'PUT', `/kv/k${k + j}`, { value: k + j })));
    for (const r of rs) assert.equal(r.status, 200);
  }
  await c.converge();

  // n2: flip one bit in record 500 of 1000
  await c.stop(1, 'SIGTERM');
  const log2 = join(dir, 'n2', 'ops.log');
  const buf = readFileSync(log2);
  const parsed = parseRecords(buf);
  assert.equal(parsed.records.length, 1000);
  buf[parsed.offsets[500]! + 30]! ^= 0x01;
  writeFileSync(log2, buf);
  const n2 = await c.start(1);
  const err = n2.err.join('');
  assert.match(err, /LOG CORRUPTION in .*n2\/ops\.log: 1 damaged region\(s\), \d+ bytes, first at offset \d+; skipped them and kept 499 valid records after/);
  const status = (await http(c.base(1), 'GET', '/admin/status')).body;
  assert.equal(status.logCorruption.regions, 1);
  assert.equal(status.logCorruption.keptAfter, 499);
  assert.match(status.logCorruption.copy, /ops\.log\.corrupt-/);
  assert.ok(readdirSync(join(dir, 'n2')).some((f) => f.startsWith('ops.log.corrupt-')));
  assert.equal(metric((await http(c.base(1), 'GET', '/metrics')).body, 'maep_log_corrupt_regions_total'), 1);
  await c.converge();
  assert.equal((await http(c.base(1), 'GET', '/admin/status')).body.opCount, 1000, 'anti-entropy repaired the lost op');
  for (let k = 0; k < 1000; k += 97) assert.deepEqual((await http(c.base(1), 'GET', `/kv/k${k}`)).body, { key: `k${k}`, value: k });

  // n3: a zeroed page, with the unsafe switch: the log is cut there (the old behaviour a nemesis must catch)
  await c.stop(2, 'SIGTERM');
  const log3 = join(dir, 'n3', 'ops.log');
  const b3 = readFileSync(log3);
  b3.fill(0, 4096 * 4, 4096 * 5);
  writeFileSync(log3, b3);
  const n3 = await c.start(2, ['--unsafe-truncate-on-corruption', '--unsafe-no-anti-entropy']);
  const kept = Number(/recovered (\d+) records/.exec(n3.err.join(''))?.[1]);
  assert.ok(kept > 0 && kept === parseRecords(b3.subarray(0, 4096 * 4)).records.length, `cut at the zeroed page: ${kept} records kept`);
  assert.doesNotMatch(n3.err.join(''), /LOG CORRUPTION/);
  assert.ok(readFileSync(log3).length <= 4096 * 4, 'truncated');
});
