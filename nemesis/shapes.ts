/**
 * Partition shapes: pure functions from a node list and a seeded Rng to a grudge
 * (grudge[b] = [a, ...] means b drops everything from a; see harness/runtime/types.ts).
 *
 * Every shape here but one-way is symmetric (b drops a exactly when a drops b). Jepsen's majorities-ring is
 * one-way for even majority sizes, but over TCP a one-way drop kills the connection in both
 * directions (the ACKs are lost), so a one-way grudge silently shrinks what a node really sees
 * below a majority. A symmetric grudge makes "what a node sees" mean what it says.
 */
import type { Grudge } from '../api/runtime.ts';
import type { PartitionShape } from '../api/fault.ts';
import type { Rng } from '../api/rng.ts';

export { PARTITION_SHAPES, CYCLE_SHAPES } from '../api/fault.ts';

export interface PartitionPlan {
  shape: PartitionShape;
  grudge: Grudge;
  /** the groups that can talk among themselves (halves, one, bridge), for labels and reports */
  components?: string[][];
  /** bridge: the node that sees both sides */
  bridge?: string;
  /** one-way: the nodes whose packets are dropped, and the nodes that drop them */
  from?: string[];
  to?: string[];
}

/** smallest majority of n */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** Every node in one component drops every node in the other components. */
export function completeGrudge(components: readonly (readonly string[])[]): Grudge {
  const grudge: Grudge = {};
  for (const comp of components) {
    const others = components.filter((c) => c !== comp).flat();
    if (others.length === 0) continue; // a lone component drops nobody; keep the grudge minimal
    for (const node of comp) grudge[node] = others.slice().sort();
  }
  return grudge;
}

/** Builds a symmetric grudge from an undirected "can talk" graph given as adjacency sets. */
function grudgeFromAdjacency(nodes: readonly string[], adj: Map<string, Set<string>>): Grudge {
  const grudge: Grudge = {};
  for (const b of nodes) {
    const drops = nodes.filter((a) => a !== b && !adj.get(b)!.has(a)).sort();
    if (drops.length > 0) grudge[b] = drops;
  }
  return grudge;
}

/** The nodes b still receives from under `grudge`, itself included. */
export function visibleFrom(nodes: readonly string[], grudge: Grudge, b: string): string[] {
  const drops = new Set(grudge[b] ?? []);
  return nodes.filter((a) => !drops.has(a));
}

/** Random split: the smaller side gets ⌊n/2⌋ nodes (like Jepsen's random-halves). */
export function halves(nodes: readonly string[], rng: Rng): PartitionPlan {
  const s = rng.shuffle(nodes);
  const cut = Math.floor(s.length / 2);
  const components = [s.slice(0, cut).sort(), s.slice(cut).sort()].filter((c) => c.length > 0);
  return { shape: 'halves', grudge: completeGrudge(components), components };
}

/** One random node isolated from all the others, both ways. */
export function isolateOne(nodes: readonly string[], rng: Rng): PartitionPlan {
  if (nodes.length === 0) return { shape: 'one', grudge: {}, components: [] };
  const lone = rng.pick(nodes);
  const rest = nodes.filter((n) => n !== lone);
  const components = [[lone], rest.slice().sort()].filter((c) => c.length > 0);
  return { shape: 'one', grudge: completeGrudge(components), components };
}

/**
 * Majorities ring: every node sees a majority (itself included) and, for n ≥ 3, no two nodes see
 * the same set. Nodes are placed on a shuffled ring; each talks to its k nearest neighbours on
 * either side, which gives closed neighbourhoods of 2k+1. When the majority m is odd, k = (m-1)/2
 * gives exactly m. When m is even (n = 3, 6, 7), k = m/2 - 1 gives m-1 and every node also gets a
 * chord to the node ⌊n/2⌋ places on (i → i+⌊n/2⌋ for i < ⌈n/2⌉ covers every node at least once).
 * For n = 3 that is the path a-b-c: a and c each see two, b sees all three.
 */
export function majoritiesRing(nodes: readonly string[], rng: Rng): PartitionPlan {
  const ring = rng.shuffle(nodes);
  const n = ring.length;
  const adj = new Map<string, Set<string>>(ring.map((x) => [x, new Set<string>()]));
  const link = (i: number, j: number) => {
    const a = ring[((i % n) + n) % n]!, b = ring[((j % n) + n) % n]!;
    if (a === b) return;
    adj.get(a)!.add(b); adj.get(b)!.add(a);
  };
  if (n <= 2) return { shape: 'majorities-ring', grudge: {} }; // a majority of 2 is both nodes
  const m = majority(n);
  const k = m % 2 === 1 ? (m - 1) / 2 : m / 2 - 1;
  for (let i = 0; i < n; i++) for (let d = 1; d <= k; d++) link(i, i + d);
  if (m % 2 === 0) {
    const half = Math.floor(n / 2);
    for (let i = 0; i < Math.ceil(n / 2); i++) link(i, i + half);
  }
  return { shape: 'majorities-ring', grudge: grudgeFromAdjacency(ring, adj) };
}

/**
 * Bridge: a random split into two halves, cut from each other, except one node of the larger half
 * (the bridge) which still talks to everyone (Jepsen's bridge).
 */
export function bridge(nodes: readonly string[], rng: Rng): PartitionPlan {
  const s = rng.shuffle(nodes);
  const cut = Math.floor(s.length / 2);
  const small = s.slice(0, cut), large = s.slice(cut);
  if (small.length === 0 || large.length < 2) {
    // fewer than 3 nodes: no room for a bridge plus two sides; nothing is cut
    return { shape: 'bridge', grudge: {}, components: [s.slice().sort()], ...(large[0] ? { bridge: large[0] } : {}) };
  }
  const via = large[0]!;
  const sideA = small.slice().sort(), sideB = large.filter((x) => x !== via).sort();
  const grudge = completeGrudge([sideA, sideB]);
  return { shape: 'bridge', grudge, components: [[...sideA, via].sort(), [via, ...sideB].sort()], bridge: via };
}

/** grudge for "nothing from `from` reaches `to`", the reverse direction untouched */
export function oneWayGrudge(from: readonly string[], to: readonly string[]): Grudge {
  const grudge: Grudge = {};
  for (const b of to) {
    const drops = from.filter((a) => a !== b).slice().sort();
    if (drops.length) grudge[b] = drops;
  }
  return grudge;
}

/**
 * One-way: a random split in two halves, and one of them stops reaching the other while the
 * other direction still flows. Over TCP both directions of a connection stall (the ACKs are
 * lost); datagrams still flow the other way. Only kernel-level runtimes can cut one way.
 */
export function oneWay(nodes: readonly string[], rng: Rng): PartitionPlan & { from: string[]; to: string[] } {
  const s = rng.shuffle(nodes);
  const cut = Math.max(1, Math.floor(s.length / 2));
  const [a, b] = [s.slice(0, cut).sort(), s.slice(cut).sort()];
  const [from, to] = rng.next() < 0.5 ? [a, b] : [b, a];
  return { shape: 'one-way', grudge: oneWayGrudge(from, to), components: [from, to], from, to };
}

/**
 * Primary-minority: the current primary on the minority side with ⌊(n−1)/2⌋−1 random others, cut
 * both ways from the majority — the partition under which a primary/replica store fails over and
 * the old primary keeps acknowledging writes it will lose. With no known primary, a random minority.
 */
export function primaryMinority(nodes: readonly string[], rng: Rng, primaries: readonly string[] = []): PartitionPlan {
  if (nodes.length < 2) return { shape: 'primary-minority', grudge: {}, components: [nodes.slice()] };
  const primary = primaries.find((p) => nodes.includes(p)) ?? rng.pick(nodes);
  const others = rng.shuffle(nodes.filter((n) => n !== primary));
  const extra = Math.max(0, Math.floor((nodes.length - 1) / 2) - 1);
  const minority = [primary, ...others.slice(0, extra)].sort();
  const rest = others.slice(extra).sort();
  const components = [minority, rest].filter((c) => c.length > 0);
  return { shape: 'primary-minority', grudge: completeGrudge(components), components };
}

export function partitionPlan(shape: PartitionShape, nodes: readonly string[], rng: Rng, primaries?: readonly string[]): PartitionPlan {
  switch (shape) {
    case 'halves': return halves(nodes, rng);
    case 'one': return isolateOne(nodes, rng);
    case 'majorities-ring': return majoritiesRing(nodes, rng);
    case 'bridge': return bridge(nodes, rng);
    case 'one-way': return oneWay(nodes, rng);
    case 'primary-minority': return primaryMinority(nodes, rng, primaries);
  }
}

/** "halves n1,n2 | n3,n4,n5" style label for the status line and logs. */
export function describePartition(plan: PartitionPlan): string {
  if (plan.shape === 'majorities-ring') {
    const cut = Object.values(plan.grudge).reduce((s, d) => s + d.length, 0) / 2;
    return `majorities-ring (${cut} links cut)`;
  }
  if (plan.shape === 'one-way') return `one-way ${plan.from!.join(',')} -/-> ${plan.to!.join(',')}`;
  const comps = (plan.components ?? []).map((c) => c.join(',')).join(' | ');
  return plan.bridge ? `${plan.shape} via ${plan.bridge}: ${comps}` : `${plan.shape} ${comps}`;
}
