/**
 * Pure subnet choice for a run's bridge: the first free 10.214.k.0/24, k starting at a hash of the
 * run id, skipping anything the machine already routes (docker networks, other runs' bridges, VPNs).
 * The CIDR arithmetic and /proc/net/route parsing are the docker runtime's (runtimes/docker/
 * subnet.ts, pure); the range differs (docker takes 10.213/16) so the two runtimes rarely meet.
 * The bridge (the harness's own address on the subnet) is .1, node i is .(10 + i).
 */
import { createHash } from 'node:crypto';
import { ipToString, overlaps, parseCidr } from '../docker/subnet.ts';

export { parseProcNetRoute } from '../docker/subnet.ts';

export interface NetnsSubnet {
  /** e.g. "10.214.7.0/24" */
  subnet: string;
  prefix: number;
  /** the bridge's address: how the harness reaches the nodes */
  gateway: string;
  /** node id → its address */
  ips: Record<string, string>;
}

export const MAX_NODES = 240;

export function planSubnet(runId: string, nodes: readonly string[], taken: readonly string[]): NetnsSubnet {
  if (nodes.length > MAX_NODES) throw new Error(`netns runtime: at most ${MAX_NODES} nodes, got ${nodes.length}`);
  const used = taken.map(parseCidr);
  const start = createHash('sha256').update(`netns:${runId}`).digest()[0]!;
  for (let i = 0; i < 256; i++) {
    const k = (start + i) % 256;
    const cand = parseCidr(`10.214.${k}.0/24`);
    if (used.some((u) => overlaps(u, cand))) continue;
    const ips = Object.fromEntries(nodes.map((n, j) => [n, ipToString(cand.base + 10 + j)]));
    return { subnet: `10.214.${k}.0/24`, prefix: 24, gateway: ipToString(cand.base + 1), ips };
  }
  throw new Error('netns runtime: every 10.214.k.0/24 overlaps a route of this machine (see `ip route`; a route such as 10.0.0.0/8 covers them all)');
}
