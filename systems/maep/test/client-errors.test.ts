import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorkload } from '../../../workloads/index.ts';
import { maep } from '../index.ts';
import { workloadArgs } from '../launch.ts';
import type { Client } from '../../../api/client.ts';

/** maep's client for a workload, talking to the fake node at `url` */
function clientFor(workload: string, url: string, timeoutMs: number, params: Record<string, unknown> = {}): Client {
  const { hostname, port } = new URL(url);
  const node = { id: 'n1', host: hostname, ports: { client: Number(port), peer: 1 } };
  return maep.workloads[workload]!.client({ node, cluster: [node], workload: createWorkload(workload, params), timeoutMs });
}

/** a fake node whose answers the test scripts: status code and body per path, or "hang" / "reset" */
async function fakeNode(answer: (method: string, path: string) => { status: number; body: unknown } | 'hang' | 'reset'): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(req.method!, req.url!);
      if (a === 'hang') return;
      if (a === 'reset') { req.socket.destroy(); return; }
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const close = (s: Server) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });
const signal = () => new AbortController().signal;

test('bank client: 200 ok, 409 definite fail, timeout info, reset info, read timeout fail', async () => {
  let mode: 'ok' | 'refuse' | 'hang' | 'reset' = 'ok';
  const { url, server } = await fakeNode((m, path) => {
    if (path === '/bank' && mode === 'ok') return { status: 200, body: { balances: { 0: 6, 1: 14 }, total: 20 } };
    if (mode === 'ok') return { status: 200, body: { ok: true } };
    if (mode === 'refuse') return { status: 409, body: { error: 'insufficient funds' } };
    return mode;
  });
  try {
    const client = clientFor('bank', url, 200);
    const transfer = { f: 'transfer', value: { from: 0, to: 1, amount: 4 } };
    assert.deepEqual(await client.invoke(transfer, signal()), { type: 'ok', value: transfer.value });
    assert.deepEqual(await client.invoke({ f: 'read', value: null }, signal()), { type: 'ok', value: { 0: 6, 1: 14 } });
    mode = 'refuse';
    assert.deepEqual(await client.invoke(transfer, signal()), { type: 'fail', value: transfer.value, error: 'insufficient funds' });
    mode = 'hang';
    assert.equal((await client.invoke(transfer, signal())).type, 'info');
    assert.equal((await client.invoke({ f: 'read', value: null }, signal())).type, 'fail', 'a read that timed out had no effect');
    mode = 'reset';
    assert.equal((await client.invoke(transfer, signal())).type, 'info');
  } finally { await close(server); }
});

test('connection refused before sending is a definite fail', async () => {
  const { url, server } = await fakeNode(() => ({ status: 200, body: {} }));
  await close(server);
  const client = clientFor('history', url, 500);
  const r = await client.invoke({ f: 'append', value: [0, 1] }, signal());
  assert.equal(r.type, 'fail');
  assert.match(r.error!, /refused/);
});

test('final reads: whole state plus Merkle root; a failing node gives fail', async () => {
  const { url, server } = await fakeNode((_m, path) => {
    if (path === '/admin/status') return { status: 200, body: { merkleRoot: 'abc' } };
    if (path.startsWith('/history/')) return { status: 200, body: { key: path.slice(9), entries: [{ value: 3 }, { value: 5 }] } };
    if (path.startsWith('/kv/1')) return { status: 500, body: {} };
    if (path.startsWith('/kv/')) return { status: 200, body: { key: '0', value: 9 } };
    return { status: 404, body: {} };
  });
  try {
    const h = clientFor('history', url, 500, { keys: 2 });
    assert.deepEqual(await h.finalRead(signal()), { type: 'ok', value: { state: { keys: { 0: [3, 5], 1: [3, 5] } }, digest: 'abc' } });
    assert.deepEqual(await h.invoke({ f: 'read', value: [1, null] }, signal()), { type: 'ok', value: [1, [3, 5]] });
    const lww = clientFor('lww', url, 500, { keys: 1 });
    assert.deepEqual(await lww.finalRead(signal()), { type: 'ok', value: { state: { registers: { 0: 9 } }, digest: 'abc' } });
    const lww2 = clientFor('lww', url, 500, { keys: 2 });
    assert.equal((await lww2.finalRead(signal())).type, 'fail');
  } finally { await close(server); }
});

test('maep node flags from workload params: only values that differ from maep defaults are passed', () => {
  assert.deepEqual(workloadArgs({ workload: createWorkload('bank', { accounts: 4, 'initial-balance': 5 }) }), ['--accounts', '4', '--initial-balance', '5']);
  assert.deepEqual(workloadArgs({ workload: createWorkload('bank') }), []);
  assert.deepEqual(workloadArgs({ workload: createWorkload('lww') }), []);
});
