import type { NodeEndpoint, Readiness } from '../../api/runtime.ts';
import { nodeClient } from './connection.ts';
import { MASTER_NAME } from './config.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ping(node: NodeEndpoint, port: number): Promise<string | null> {
  const r = nodeClient(node, 1000, port);
  try { await r.connect(); return (await r.ping()) === 'PONG' ? null : 'no PONG'; } catch (e) { return (e as Error).message; } finally { r.disconnect(); }
}

/** a node is up when both its redis-server and its Sentinel answer PING */
export async function probe(node: NodeEndpoint): Promise<Readiness> {
  const problem = (await ping(node, node.ports.redis!)) ?? (await ping(node, node.ports.sentinel!));
  return problem ? { ready: false, detail: problem } : { ready: true };
}

/** key: value lines of INFO or SENTINEL answers */
function fields(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
}

/** what is not ready yet: a replica whose link to the primary is down, a Sentinel that does not see all the others */
async function notReady(nodes: readonly NodeEndpoint[]): Promise<string[]> {
  const problems: string[] = [];
  for (const n of nodes) {
    const r = nodeClient(n, 1000);
    const s = nodeClient(n, 1000, n.ports.sentinel!);
    try {
      await r.connect();
      const info = fields(await r.info('replication'));
      if (info.role === 'slave' && info.master_link_status !== 'up') problems.push(`${n.id}: replication link ${info.master_link_status}`);
      await s.connect();
      const master = (await s.call('SENTINEL', 'MASTER', MASTER_NAME)) as string[];
      const m: Record<string, string> = {};
      for (let i = 0; i + 1 < master.length; i += 2) m[master[i]!] = master[i + 1]!;
      if (Number(m['num-other-sentinels']) < nodes.length - 1) problems.push(`${n.id}: its Sentinel sees ${m['num-other-sentinels']} of ${nodes.length - 1} others`);
      if (Number(m['num-slaves']) < nodes.length - 1) problems.push(`${n.id}: its Sentinel sees ${m['num-slaves']} of ${nodes.length - 1} replicas`);
    } catch (e) { problems.push(`${n.id}: ${(e as Error).message}`); } finally { r.disconnect(); s.disconnect(); }
  }
  return problems;
}

/** every replica replicates the primary and every Sentinel knows every replica and Sentinel */
export async function clusterReady(nodes: readonly NodeEndpoint[], signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const problems = await notReady(nodes);
    if (problems.length === 0 || signal.aborted) return;
    if (Date.now() > deadline) throw new Error(`redis: replication and Sentinel not ready after 30 s: ${problems.join('; ')}`);
    await sleep(250);
  }
}

/** the primary as most Sentinels see it (by its address), mapped to a node id */
export async function primaries(nodes: readonly NodeEndpoint[]): Promise<string[]> {
  const votes = new Map<string, number>();
  await Promise.all(nodes.map(async (n) => {
    const s = nodeClient(n, 1000, n.ports.sentinel!);
    try {
      await s.connect();
      const addr = (await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as [string, string] | null;
      const id = addr && nodes.find((x) => x.host === addr[0])?.id;
      if (id) votes.set(id, (votes.get(id) ?? 0) + 1);
    } catch { /* a partitioned or paused Sentinel has no vote */ } finally { s.disconnect(); }
  }));
  const best = [...votes].sort((a, b) => b[1] - a[1])[0];
  return best ? [best[0]] : [];
}
