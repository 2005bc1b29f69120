/** The HTTP contract, in-process: shapes of answers and one clear 4xx per kind of bad input. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadConfig, type NodeConfig } from '../config.ts';
import { startNode } from './server.ts';
import { freePorts, http } from '../test/procs.ts';

test('HTTP API: answers and clear errors', async (t) => {
  const [p, h] = await freePorts(2);
  const node = await startNode(loadConfig(['--id', 'n1', '--listen', `127.0.0.1:${p}`, '--http', `127.0.0.1:${h}`, '--accounts', '4']) as NodeConfig, () => {});
  t.onTestFinished(() => node.close());
  const base = `http://127.0.0.1:${h}`;
  const call = (method: string, path: string, body?: unknown) => http(base, method, path, body);
  const err = async (method: string, path: string, body: unknown, status: number, re: RegExp) => {
    const r = await call(method, path, body);
    assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
    assert.match(r.body.error, re);
  };

  assert.deepEqual((await call('GET', '/kv/nothing')).body, { key: 'nothing', value: null });
  const put = await call('PUT', '/kv/a%2Fb', { value: { deep: [1, 2] } });
  assert.equal(put.status, 200);
  assert.match(put.body.id, /^[0-9a-f]{32}$/);
  assert.deepEqual((await call('GET', '/kv/a%2Fb')).body, { key: 'a/b', value: { deep: [1, 2] } });
  const cas = await call('POST', '/kv/a%2Fb/cas', { expected: 1, new: 2 });
  assert.equal(cas.status, 409);
  assert.deepEqual(cas.body.current, { deep: [1, 2] });
  assert.equal((await call('POST', '/kv/fresh/cas', { expected: null, new: 2 })).status, 200);
  const h1 = await call('POST', '/history/h', { value: 'x' });
  const hist = (await call('GET', '/history/h')).body;
  assert.deepEqual(hist, { key: 'h', entries: [{ value: 'x', hash: h1.body.hash, origin: 'n1', seq: 3, links: [] }] });
  assert.deepEqual((await call('GET', '/bank')).body, { balances: { 0: 10, 1: 10, 2: 10, 3: 10 }, total: 40 });
  const over = await call('POST', '/bank/transfer', { from: 0, to: 3, amount: 11 });
  assert.deepEqual(over, { status: 409, body: { error: 'insufficient funds: account 0 has 10, transfer needs 11', balance: 10 } });

  await err('PUT', '/kv/a', '{"value": ', 400, /not valid JSON/);
  await err('PUT', '/kv/a', { val: 1 }, 400, /missing field "value"/);
  await err('PUT', '/kv/a', [1], 400, /must be a JSON object/);
  await err('PUT', '/kv/a', '', 400, /body is empty/);
  await err('PUT', '/kv/a', '{"value":' + '['.repeat(100) + ']'.repeat(100) + '}', 400, /nested more than 64 levels/);
  await err('POST', '/kv/a/cas', { expected: 1 }, 400, /missing field "new"/);
  await err('POST', '/bank/transfer', { from: '0', to: 1, amount: 1 }, 400, /"from" must be an integer account number, got "0"/);
  await err('POST', '/bank/transfer', { from: 0, to: 4, amount: 1 }, 404, /unknown account 4 in "to": accounts are 0..3/);
  await err('POST', '/bank/transfer', { from: -1, to: 1, amount: 1 }, 400, /"from" must be an account number/);
  for (const amount of [0, -3, 1.5, 2 ** 53, '2', null]) await err('POST', '/bank/transfer', { from: 0, to: 1, amount }, 400, /"amount" must be a positive safe integer/);
  await err('POST', '/bank/transfer', { from: 2, to: 2, amount: 1 }, 400, /two different accounts/);
  await err('PUT', '/kv/' + 'k'.repeat(1025), { value: 1 }, 400, /limit is 1024/);
  await err('GET', '/kv/%E0%A4%A', undefined, 400, /not valid percent-encoding/);
  await err('DELETE', '/kv/a', undefined, 405, /DELETE is not supported on \/kv\/:key; use GET or PUT/);
  await err('GET', '/nope', undefined, 404, /no such endpoint: GET \/nope/);
  await err('PUT', '/kv/big', '{"value":"' + 'x'.repeat(1024 * 1024) + '"}', 413, /over the 1048576-byte limit/);

  assert.equal((await call('POST', '/admin/sync')).body.ok, true);
  const st = (await call('GET', '/admin/status')).body;
  assert.equal(st.id, 'n1');
  assert.equal(st.opCount, 3);
  assert.deepEqual(st.versionVector, { n1: 3 });
  assert.ok(Math.abs(st.clock - Date.now()) < 60_000);
  const metrics = (await call('GET', '/metrics')).body as string;
  assert.match(metrics, /maep_ops_total\{kind="put"\} 1/);
  assert.match(metrics, /maep_http_requests_total\{route="bad-request",status="400"\} \d+/);
});
