/**
 * tiny-kv as a splitbrain System: how to launch a node, when it is ready, a client per workload,
 * and what each checker is expected to show, and why. The server is server.ts beside this file.
 *   npm run jepsen -- --system examples/tiny-kv/system.ts --workload lww --nemesis partition --runtime local --time-limit 10
 */
import { fileURLToPath } from 'node:url';
import type { System, SystemWorkload } from '../../api/system.ts';
import type { Client, ClientContext } from '../../api/client.ts';
import type { NodeEndpoint, Program } from '../../api/runtime.ts';
import type { Completion } from '../../api/workload.ts';
import type { Expected } from '../../api/checker.ts';
import { JsonClient, type HttpOutcome } from '../../systems/http-json.ts';

const program: Program = { kind: 'node-script', name: 'tiny-kv', entry: fileURLToPath(new URL('./server.ts', import.meta.url)) };
const api = (node: NodeEndpoint, timeoutMs: number) => new JsonClient(`http://${node.host}:${node.ports.api}`, { timeoutMs });

/** a write refused (4xx, connection refused) certainly did not happen: fail; no answer: it may have (info) */
function write(r: HttpOutcome, value: unknown): Completion {
  if (r.kind === 'ok') return { type: 'ok', value };
  return { type: r.kind === 'refused' ? 'fail' : 'info', value, error: r.error };
}

/** a read changes nothing, so a read without an answer certainly had no effect: fail */
function read(r: HttpOutcome, value: unknown, answer: (body: any) => unknown): Completion {
  return r.kind === 'ok' ? { type: 'ok', value: answer(r.body) } : { type: 'fail', value, error: r.error };
}

type Invoke = (http: JsonClient, f: string, value: any, signal: AbortSignal) => Promise<Completion>;

/** one worker's client: ops, a sync before each final-read round, and the final read with the node's digest */
function client(ctx: ClientContext, invoke: Invoke, state: (dump: any) => unknown): Client {
  const http = api(ctx.node, ctx.timeoutMs);
  return {
    invoke: (op, signal) => invoke(http, op.f, op.value, signal),
    sync: async (signal) => { await http.call('POST', '/sync', {}, signal); },
    async finalRead(signal) {
      const r = await http.call('GET', '/dump', undefined, signal);
      if (r.kind !== 'ok') return { type: 'fail', value: null, error: r.error };
      return { type: 'ok', value: { state: state(r.body), digest: r.body.digest } };
    },
    async close() { http.close(); },
  };
}

const stats: Expected = { expected: 'valid', why: 'every node answers from its own copy, so ops of every kind succeed' };
const convergence: Expected = {
  expected: 'valid',
  why: 'each node pushes its whole state to its peers every 0.5 s and keeps the newest entry per key by (timestamp, node id), a total order: after healing every node holds the same data and digest',
};

const lww: SystemWorkload = {
  client: (ctx) => client(ctx, async (http, f, [key, arg], signal) => {
    const path = `/reg/${key}`;
    if (f === 'read') return read(await http.call('GET', path, undefined, signal), [key, null], (b) => [key, b.value ?? null]);
    if (f === 'write') return write(await http.call('PUT', path, { value: arg }, signal), [key, arg]);
    if (f === 'cas') return write(await http.call('POST', `${path}/cas`, { from: arg[0], to: arg[1] }, signal), [key, arg]);
    return { type: 'fail', value: [key, arg], error: `lww has no op ${f}` };
  }, (dump) => ({
    // every key of the workload, null where nothing was written (the shape the checkers expect)
    registers: Object.fromEntries(Array.from({ length: ctx.workload.params.keys as number }, (_, k) => [k, dump.registers[k] ?? null])),
  })),
  expect: () => ({
    stats,
    linearizability: { expected: 'may-fail', why: 'a node acknowledges a write before its peers have it, so reads elsewhere are stale, and two nodes can each accept a cas from the same value' },
    session: { expected: 'may-fail', why: "a concurrent write on another node with a later timestamp (or a skewed clock) replaces a process's own write: read-your-writes is not promised" },
    convergence,
  }),
};

const bank: SystemWorkload = {
  client: (ctx) => client(ctx, async (http, f, value, signal) => {
    if (f === 'transfer') return write(await http.call('POST', '/accounts/transfer', value, signal), value);
    if (f === 'read') return read(await http.call('GET', '/accounts', undefined, signal), value, (b) => b.balances);
    return { type: 'fail', value, error: `bank has no op ${f}` };
  }, (dump) => ({ balances: dump.balances })),
  expect: () => ({
    stats,
    'bank-total': { expected: 'may-fail', why: "replication is last-writer-wins per account: two transfers on different nodes that touch one account each write that account's balance, and only one survives, so money is created or destroyed" },
    'bank-no-overdraft': { expected: 'valid', why: 'a node approves a transfer only from a balance it holds, so every balance any node writes is >= 0, and last-writer-wins only ever keeps a written one (double spending shows as money created, in bank-total)' },
    'bank-fold': { expected: 'may-fail', why: 'a balance overwritten by last-writer-wins loses the other transfer, so the final balances need not be the fold of the acknowledged transfers' },
    convergence,
  }),
};

const tinyKv: System = {
  name: 'tiny-kv',
  description: 'the README example: a tiny AP key-value store, async push + periodic full-state push, last-writer-wins',
  runtimes: ['local', 'docker'],
  programs: [program],
  // clients use `api`; peers dial `repl`, which the local runtime proxies per link (partitions)
  ports: { ports: { api: 8100, repl: 7100 }, peer: ['repl'] },
  needs: { dialsGivenPeerAddresses: true, libfaketime: true, clockOffsetFile: true },
  workloads: { lww, bank },
  launch: (host, run) => ({
    program,
    args: [
      '--node-id', host.id, '--bind', host.bindHost, '--dir', host.dataDir,
      '--api-port', String(host.ports.api), '--repl-port', String(host.ports.repl),
      '--replicate-to', host.peers.map((p) => `${p.id}=${p.host}:${p.ports.repl}`).join(','),
      ...(host.clockOffsetFile ? ['--clock-file', host.clockOffsetFile] : []),
      ...(run.workload.name === 'bank' ? ['--bank-accounts', String(run.workload.params.accounts), '--bank-balance', String(run.workload.params['initial-balance'])] : []),
      ...run.nodeArgs,
    ],
  }),
  // ready when /health answers with this node's id (another program on the port would not)
  async probe(node, signal) {
    const http = api(node, 1000);
    try {
      const r = await http.call('GET', '/health', undefined, signal);
      if (r.kind === 'ok' && r.body?.node === node.id) return { ready: true };
      return { ready: false, detail: r.kind === 'ok' ? `answered as ${JSON.stringify(r.body?.node)}` : r.error };
    } finally { http.close(); }
  },
};

export default tinyKv;
