/**
 * A one-way partition shape (pure), for the nemesis to adopt: `from` nodes' packets no longer
 * reach `to` nodes, while `to` → `from` still flows. On a kernel runtime this is exactly one DROP
 * rule per pair in the receivers' INPUT (grudge[to] = [from...]). Over TCP both directions of a
 * connection stall (the ACKs are lost); UDP traffic (gossip, Raft over UDP) still flows the other
 * way. The local runtime's proxies cannot express it (they cut both ways).
 */
import type { Grudge } from '../../api/runtime.ts';
import type { Rng } from '../../api/rng.ts';

export interface OneWayPlan {
  shape: 'one-way';
  grudge: Grudge;
  /** the nodes whose packets are dropped, and the nodes that drop them */
  from: string[];
  to: string[];
}

/** grudge for "nothing from `from` reaches `to`" (the reverse direction untouched) */
export function oneWayGrudge(from: readonly string[], to: readonly string[]): Grudge {
  const grudge: Grudge = {};
  for (const b of to) {
    const drops = from.filter((a) => a !== b).slice().sort();
    if (drops.length) grudge[b] = drops;
  }
  return grudge;
}

/** a random split in two halves; a random one of them stops reaching the other */
export function oneWay(nodes: readonly string[], rng: Rng): OneWayPlan {
  const s = rng.shuffle(nodes);
  const cut = Math.max(1, Math.floor(s.length / 2));
  const [a, b] = [s.slice(0, cut).sort(), s.slice(cut).sort()];
  const [from, to] = rng.next() < 0.5 ? [a, b] : [b, a];
  return { shape: 'one-way', grudge: oneWayGrudge(from, to), from, to };
}
