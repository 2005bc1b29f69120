import type { Op } from '../api/history.ts';
import type { OpPair } from './op-pairs.ts';
import { nsToS } from './op-pairs.ts';

/** One ok round of the final-read phase on one node. */
export interface FinalRound {
  node: string;
  /** index of the completion line */
  index: number;
  timeS: number;
  state: unknown;
  digest: string | undefined;
}

/**
 * Ok final-read rounds grouped by node, in time order. The last round of a node is its final
 * state (api/history.ts). Rounds without a node or a {state} value are skipped.
 */
export function finalRounds(pairs: readonly OpPair[]): Map<string, FinalRound[]> {
  const byNode = new Map<string, FinalRound[]>();
  for (const p of pairs) {
    if (p.f !== 'final-read' || p.type !== 'ok' || !p.completion || typeof p.node !== 'string') continue;
    const v = p.value as { state?: unknown; digest?: unknown } | null;
    if (v === null || typeof v !== 'object' || !('state' in v)) continue;
    const round: FinalRound = {
      node: p.node, index: p.completion.index, timeS: p.endS, state: v.state,
      digest: typeof v.digest === 'string' ? v.digest : undefined,
    };
    const list = byNode.get(p.node) ?? [];
    list.push(round);
    byNode.set(p.node, list);
  }
  for (const list of byNode.values()) list.sort((a, b) => a.timeS - b.timeS || a.index - b.index);
  return byNode;
}

/** Each node's last ok final round. */
export function lastFinalRounds(pairs: readonly OpPair[]): Map<string, FinalRound> {
  const out = new Map<string, FinalRound>();
  for (const [node, rounds] of finalRounds(pairs)) out.set(node, rounds[rounds.length - 1]!);
  return out;
}

/** Seconds of the last nemesis "heal" line (the completion when it is a pair), or undefined. */
export function healTimeS(history: readonly Op[]): number | undefined {
  let t: number | undefined;
  for (const op of history) {
    if (op && op.process === 'nemesis' && op.f === 'heal' && typeof op.time === 'number') t = nsToS(op.time);
  }
  return t;
}

/** Nodes the test knows plus nodes seen in final reads, sorted. */
export function allNodes(known: readonly string[] | undefined, seen: Iterable<string>): string[] {
  return [...new Set([...(Array.isArray(known) ? known : []), ...seen])].sort();
}
