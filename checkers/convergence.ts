import type { CheckResult } from '../api/checker.ts';
import type { SyncChecker } from './sync-checker.ts';
import { pairOps } from './op-pairs.ts';
import { allNodes, finalRounds, healTimeS, type FinalRound } from './final-reads.ts';
import { canonicalJson, flattenState } from './canonical.ts';
import { CappedList, roundS } from './violation-list.ts';

/** A key on which a node's final state differs from the majority of nodes. */
export interface Divergence { node: string; key: string; value: string; majority: string | null }

/**
 * Convergence: after heal and recovery, every node's last ok final read has the same state and
 * the same digest (maep: its Merkle root). Works for every workload (balances, registers, histories).
 *
 * Timing: a node "matched" at the first of its rounds from which on all its rounds equal the
 * common final state; convergedAfterS = the latest node's match time minus the heal time, i.e.
 * the first round in which all nodes agreed for good.
 */
export const convergenceChecker: SyncChecker = (history, ctx): CheckResult => {
  const rounds = finalRounds(pairOps(history));
  const nodes = allNodes(ctx.nodes, rounds.keys());
  const healS = healTimeS(history);
  const missing = nodes.filter((n) => !rounds.has(n));
  if (rounds.size === 0) {
    return { valid: 'unknown', summary: 'no ok final read on any node', missingNodes: missing, healS: healS ?? null };
  }

  const last = new Map<string, FinalRound>();
  for (const [node, list] of rounds) last.set(node, list[list.length - 1]!);
  const flat = new Map<string, Map<string, string>>();
  for (const [node, r] of last) flat.set(node, flattenState(r.state));

  // majority value per key over the nodes that answered; ties are broken by the smaller string
  // so the result is deterministic, and reported as majority null (no majority).
  const keys = new Set<string>();
  for (const m of flat.values()) for (const k of m.keys()) keys.add(k);
  const divergent = new CappedList<Divergence>(50);
  const divergentKeysByNode: Record<string, number> = {};
  for (const key of [...keys].sort()) {
    const votes = new Map<string, number>();
    for (const m of flat.values()) {
      const v = m.get(key) ?? 'absent';
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    if (votes.size === 1) continue;
    const ranked = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const majority = ranked[0]![1] > ranked[1]![1] ? ranked[0]![0] : null;
    for (const [node, m] of [...flat].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const v = m.get(key) ?? 'absent';
      if (v === majority) continue;
      divergent.push({ node, key, value: v, majority });
      divergentKeysByNode[node] = (divergentKeysByNode[node] ?? 0) + 1;
    }
  }

  const roots = new Map<string, string | null>();
  for (const [node, r] of last) roots.set(node, r.digest ?? null);
  const rootValues = new Set(roots.values());
  // a system that reports no digests at all is compared on state alone
  const rootsAgree = rootValues.size === 1;
  const statesAgree = divergent.count === 0;

  // per node: when it first matched the final common state (only meaningful when all agree)
  const convergedAtS: Record<string, number> = {};
  let convergedAfterS: number | null = null;
  if (statesAgree) {
    const finalState = canonicalJson(last.values().next().value!.state);
    let latest = 0;
    for (const [node, list] of rounds) {
      let at = list[list.length - 1]!.timeS;
      for (let i = list.length - 1; i >= 0 && canonicalJson(list[i]!.state) === finalState; i--) at = list[i]!.timeS;
      convergedAtS[node] = roundS(at);
      latest = Math.max(latest, at);
    }
    if (healS !== undefined) convergedAfterS = roundS(latest - healS);
  }

  const details = {
    nodes, missingNodes: missing, healS: healS ?? null, convergedAfterS, convergedAtS,
    digests: Object.fromEntries(roots), divergent: divergent.items, divergentCount: divergent.count,
    divergentKeysByNode,
  };
  if (!statesAgree) {
    const worst = Object.entries(divergentKeysByNode).sort((a, b) => b[1] - a[1])[0]!;
    return { valid: false, summary: `final states differ: ${divergent.count} node/key differences, most on ${worst[0]} (${worst[1]})`, ...details };
  }
  if (!rootsAgree) {
    return { valid: false, summary: `states agree but digests differ: ${[...roots].map(([n, r]) => `${n}=${r ?? 'none'}`).join(', ')}`, ...details };
  }
  if (missing.length > 0) {
    return { valid: 'unknown', summary: `${last.size} nodes agree but ${missing.join(', ')} gave no ok final read`, ...details };
  }
  const after = convergedAfterS === null ? 'no heal marker' : `converged ${convergedAfterS} s after the heal`;
  return { valid: true, summary: `${nodes.length} nodes agree (${keys.size} keys); ${after}`, ...details };
};
