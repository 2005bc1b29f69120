/** `cluster up | status | down`: the orchestrator leaves nodes running between commands, and nothing after down. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { jepsen, processesMentioning, portClosed, eventually } from './helpers.ts';
import { maep } from '../../systems/maep/index.ts';

test('cluster up, status, down: nodes answer while up and are gone after', async () => {
  const store = mkdtempSync(join(tmpdir(), 'sb-cli-cluster-'));
  try {
    const up = await jepsen(['cluster', 'up', '--nodes', '3', '--runtime', 'local', '--store', store]);
    assert.equal(up.exitCode, 0, up.all);
    // "n1   127.0.0.1  peer=7001 client=8001": the ports by the system's names
    const nodes = [...up.stdout.matchAll(/^(n\d+)\s+127\.0\.0\.1\s.*\bclient=(\d+)/gm)].map((m) => ({ id: m[1]!, port: Number(m[2]) }));
    const ports = nodes.map((n) => n.port);
    assert.equal(ports.length, 3, up.stdout);
    try {
      const status = await jepsen(['cluster', 'status', '--runtime', 'local', '--store', store]);
      assert.equal(status.exitCode, 0);
      assert.equal(status.stdout.match(/answering/g)?.length, 3, status.stdout);
      for (const n of nodes) {
        const res = await maep.probe({ id: n.id, host: '127.0.0.1', ports: { client: n.port } }, AbortSignal.timeout(5000));
        assert.deepEqual(res, { ready: true });
      }
    } finally {
      const down = await jepsen(['cluster', 'down', '--runtime', 'local', '--store', store]);
      assert.equal(down.exitCode, 0, down.all);
      assert.match(down.stdout, /local cluster removed/);
    }
    for (const p of ports) assert.ok(await eventually(() => portClosed(p), 10_000), `port ${p} closed`);
    assert.ok(await eventually(() => processesMentioning(join(store, 'cluster')).length === 0, 10_000));
    const after = await jepsen(['cluster', 'status', '--runtime', 'local', '--store', store]);
    assert.match(after.stdout, /no cluster is up/);
  } finally { rmSync(store, { recursive: true, force: true }); }
});
