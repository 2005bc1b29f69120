/**
 * Ctrl-C during a partition (with a pause or kill possibly active too): the harness heals every
 * fault before it tears down, records the stops, and leaves no process and no port behind.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { jepsen, latestRun, historyOf, readJson, processesMentioning, loggedEndpoints, portClosed, eventually } from '../../harness/test/helpers.ts';
import { parseHistory } from '../../harness/history/reader.ts';

/** true while the history's last partition op is a completed start (the grudge is in place) */
function partitionActive(historyPath: string): boolean {
  if (!existsSync(historyPath)) return false;
  const { ops } = parseHistory(readFileSync(historyPath, 'utf8'));
  const part = ops.filter((o) => o.process === 'nemesis' && o.f.endsWith('-partition'));
  return part.length >= 2 && part.length % 2 === 0 && part.at(-1)!.f === 'start-partition';
}

test('SIGINT during a partition: every fault stopped, heal recorded, nothing left running', async () => {
  const store = mkdtempSync(join(tmpdir(), 'sb-nemesis-int-'));
  try {
    const child = jepsen(['--workload', 'lww', '--nemesis', 'partition,pause,kill,clock,link', '--nemesis-interval', '0.7',
      '--runtime', 'local', '--nodes', '3', '--time-limit', '120', '--seed', '99', '--store', store]);
    const inPartition = await eventually(() => existsSync(join(store, 'latest')) && partitionActive(join(latestRun(store), 'history.jsonl')), 90_000);
    assert.ok(inPartition, 'a partition began');
    const dir = latestRun(store);
    child.kill('SIGINT');
    const res = await child;
    assert.equal(res.exitCode, 130, res.all);
    assert.equal(readJson(join(dir, 'test.json')).interrupted, 'SIGINT');

    const nem = historyOf(dir).filter((o) => o.process === 'nemesis');
    // every start has its stop after it, per kind; then the heal marker
    const open = new Map<string, number>();
    const done = nem.filter((o) => o.f !== 'heal');
    assert.equal(done.length % 2, 0, 'every fault op has its completion');
    for (let i = 0; i < done.length; i += 2) {
      const o = done[i]!;
      const [action, kind] = o.f.split('-') as [string, string];
      open.set(kind, (open.get(kind) ?? 0) + (action === 'start' ? 1 : -1));
      assert.ok(open.get(kind)! >= 0 && open.get(kind)! <= 1, `${o.f} out of order`);
    }
    assert.deepEqual([...open].filter(([, n]) => n !== 0), [], 'a fault was never stopped');
    const lastStop = done.filter((o) => o.f === 'stop-partition').at(-1)!;
    assert.equal(lastStop.error, undefined, `the final heal failed: ${lastStop.error}`);
    assert.equal(nem.at(-1)!.f, 'heal');
    assert.match(res.all ?? '', /nemesis: stop partition/);

    assert.ok(await eventually(() => processesMentioning(dir).length === 0, 30_000), `processes left: ${processesMentioning(dir).join(', ')}`);
    const eps = loggedEndpoints(dir);
    assert.equal(eps.length, 3);
    for (const ep of eps) assert.ok(await eventually(() => portClosed(ep.port), 10_000), `port ${ep.port} of ${ep.id} still open`);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
