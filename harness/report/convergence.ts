/**
 * Convergence: when each node's final-read state settled on the state every node ends with,
 * measured from the heal. Computed from the final-read rounds in the history (digest), so it
 * shows even when the checker's own details have another shape. Pure.
 */
import type { OpPair } from '../../checkers/index.ts';
import { round } from './stats.ts';

export interface NodeConvergence {
  node: string;
  /** seconds after the heal when the node reached the common final root and kept it; null: never */
  afterHealS: number | null;
  rounds: number;
  finalRoot: string | null;
}

export interface ConvergenceView {
  healAt: number | null;
  /** true when every node's last final read has the same root */
  agreed: boolean;
  nodes: NodeConvergence[];
}

export function convergenceView(pairs: readonly OpPair[], healAt: number | null): ConvergenceView | null {
  const rounds = new Map<string, { t: number; root: string | null }[]>();
  for (const p of pairs) {
    if (p.f !== 'final-read' || !p.node || p.process === 'nemesis') continue;
    const l = rounds.get(p.node) ?? [];
    rounds.set(p.node, l);
    if (p.type !== 'ok') continue;
    const root = (p.value as { digest?: unknown } | null)?.digest;
    l.push({ t: p.endS, root: typeof root === 'string' ? root : null });
  }
  if (rounds.size === 0) return null;
  const lasts = [...rounds.values()].map((l) => (l.length ? l.sort((a, b) => a.t - b.t)[l.length - 1].root : null));
  const agreed = lasts.every((r) => r !== null && r === lasts[0]);
  const counts = new Map<string, number>();
  for (const r of lasts) if (r) counts.set(r, (counts.get(r) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const base = healAt ?? 0;
  const nodes = [...rounds.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([node, l]) => {
    let at: number | null = null;
    // earliest round from which every later round has the common root
    for (let i = l.length - 1; i >= 0 && common !== null && l[i].root === common; i--) at = l[i].t;
    return { node, afterHealS: at === null ? null : round(Math.max(0, at - base), 3), rounds: l.length, finalRoot: l.length ? l[l.length - 1].root : null };
  });
  return { healAt, agreed, nodes };
}

/** Prefer the convergence checker's own per-node times (result.convergedAtS, healS) where given. */
export function withCheckerTimes(v: ConvergenceView, result: unknown): ConvergenceView {
  const r = (result ?? {}) as { convergedAtS?: Record<string, unknown>; healS?: unknown };
  if (!r.convergedAtS || typeof r.convergedAtS !== 'object') return v;
  const heal = typeof r.healS === 'number' ? r.healS : v.healAt ?? 0;
  return {
    ...v,
    nodes: v.nodes.map((n) => {
      const at = r.convergedAtS![n.node];
      return typeof at === 'number' ? { ...n, afterHealS: round(Math.max(0, at - heal), 3) } : n;
    }),
  };
}
