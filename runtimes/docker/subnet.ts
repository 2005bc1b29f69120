/**
 * Pure address planning for a run's bridge network: a /24 below 10.213.0.0/16 chosen from the run
 * id (so concurrent runs usually differ) and moved on past any subnet already in use (other docker
 * networks, host routes). Node i gets .(10 + i), the bridge gateway is .1.
 */
import { createHash } from 'node:crypto';

export interface Cidr { base: number; bits: number }

export function parseCidr(s: string): Cidr {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`not an IPv4 CIDR: ${s}`);
  const oct = m.slice(1, 5).map(Number);
  if (oct.some((o) => o > 255)) throw new Error(`not an IPv4 CIDR: ${s}`);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (bits > 32) throw new Error(`not an IPv4 CIDR: ${s}`);
  const ip = ((oct[0]! << 24) | (oct[1]! << 16) | (oct[2]! << 8) | oct[3]!) >>> 0;
  return { base: (ip & mask(bits)) >>> 0, bits };
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return ((a.base & mask(bits)) >>> 0) === ((b.base & mask(bits)) >>> 0);
}

export function ipToString(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

export interface SubnetPlan {
  subnet: string;
  gateway: string;
  /** node id → static IP */
  ips: Record<string, string>;
}

/** The first free 10.213.k.0/24, k starting at a hash of the run id; throws when all 256 are taken. */
export function planSubnet(runId: string, nodes: string[], taken: string[]): SubnetPlan {
  if (nodes.length > 240) throw new Error(`at most 240 nodes per docker network, got ${nodes.length}`);
  const used = taken.map(parseCidr);
  const start = createHash('sha256').update(runId).digest()[0]!;
  for (let i = 0; i < 256; i++) {
    const k = (start + i) % 256;
    const cand = parseCidr(`10.213.${k}.0/24`);
    if (used.some((u) => overlaps(u, cand))) continue;
    const ips: Record<string, string> = {};
    nodes.forEach((n, j) => { ips[n] = ipToString(cand.base + 10 + j); });
    return { subnet: `10.213.${k}.0/24`, gateway: ipToString(cand.base + 1), ips };
  }
  throw new Error('every 10.213.k.0/24 subnet overlaps a docker network or a host route (a route such as 10.0.0.0/8 covers them all: see `ip route`); stale splitbrain networks go with `npm run jepsen -- cluster down --all`');
}

/**
 * Destinations of the host's IPv4 routes from /proc/net/route text (little-endian hex), except
 * the default route (0.0.0.0/0 overlaps everything and is not a clash).
 */
export function parseProcNetRoute(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = parseInt(f[1]!, 16) >>> 0;
    const m = parseInt(f[7]!, 16) >>> 0;
    const le = (x: number) => (((x & 255) << 24) | (((x >>> 8) & 255) << 16) | (((x >>> 16) & 255) << 8) | (x >>> 24)) >>> 0;
    const bits = popcount(le(m));
    if (bits === 0) continue;
    out.push(`${ipToString(le(dest))}/${bits}`);
  }
  return out;
}

function popcount(x: number): number {
  let c = 0;
  while (x) { c += x & 1; x >>>= 1; }
  return c;
}
