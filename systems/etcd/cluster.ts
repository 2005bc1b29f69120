import type { NodeEndpoint, Readiness } from '../../api/runtime.ts';
import type { SystemRun } from '../../api/system.ts';
import { JsonClient } from '../http-json.ts';
import { connect } from './connection.ts';
import { initialBalances } from './clients/bank.ts';

const base = (n: NodeEndpoint) => `http://${n.host}:${n.ports.client}`;

/** a member is up when its client port answers /version with an etcd server version */
export async function probe(node: NodeEndpoint, signal: AbortSignal): Promise<Readiness> {
  const http = new JsonClient(base(node), { timeoutMs: 1000 });
  try {
    const r = await http.call('GET', '/version', undefined, signal);
    return r.kind === 'ok' && typeof r.body?.etcdserver === 'string' ? { ready: true } : { ready: false, detail: r.kind === 'ok' ? 'no etcd version in the answer' : r.error };
  } finally { http.close(); }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** every member says it is healthy (/health is true only once a leader is elected), then the workload's initial state */
export async function clusterReady(nodes: readonly NodeEndpoint[], run: SystemRun, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  for (;;) {
    const health = await Promise.all(nodes.map(async (n) => {
      const http = new JsonClient(base(n), { timeoutMs: 1000 });
      try { const r = await http.call('GET', '/health', undefined, signal); return r.kind === 'ok' && String(r.body?.health) === 'true' ? null : `${n.id}: ${r.kind === 'ok' ? JSON.stringify(r.body) : r.error}`; } finally { http.close(); }
    }));
    const sick = health.filter((h) => h !== null);
    if (sick.length === 0) break;
    last = sick.join('; ');
    if (signal.aborted) return;
    if (Date.now() > deadline) throw new Error(`etcd: the cluster has no leader after 30 s (${last})`);
    await sleep(200);
  }
  if (run.workload.name === 'bank') {
    const etcd = connect(nodes[0]!, 5000);
    try { await initialBalances(etcd, run.workload); } finally { etcd.close(); }
  }
}

/** the member that leads now: the one whose own member id is the leader its status reports */
export async function primaries(nodes: readonly NodeEndpoint[]): Promise<string[]> {
  const leaders = await Promise.all(nodes.map(async (n) => {
    const etcd = connect(n, 1000);
    try {
      const s = await etcd.maintenance.status();
      return s.leader === s.header.member_id ? n.id : null;
    } catch { return null; } finally { etcd.close(); }
  }));
  return leaders.filter((l): l is string => l !== null);
}
