import type { CheckResult } from '../api/checker.ts';
import type { ProcessId } from '../api/history.ts';
import type { SyncChecker } from './sync-checker.ts';
import { lastTimeS, pairOps } from './op-pairs.ts';
import { allNodes, lastFinalRounds } from './final-reads.ts';
import { faultIntervals } from './timeline.ts';
import { faultsAt } from './faults-at.ts';
import { CappedList, roundS } from './violation-list.ts';

/** An acknowledged add missing at the end, with where and when it was acknowledged. */
export interface LostElement {
  value: number; process: ProcessId; node: string | null; index: number;
  /** when the add was acknowledged, seconds since the start */
  ackS: number;
  /** the faults active when it was acknowledged */
  faults: string[];
  /** nodes whose final read lacks it */
  missingOn: string[];
}
export interface UnexpectedElement { value: unknown; node: string; reason: 'never added' | 'add failed' }

/** the elements of a final read's state {elements: [...]} (null when it is not one) */
function elementsOf(state: unknown): Set<unknown> | null {
  const e = (state as { elements?: unknown } | null)?.elements;
  return Array.isArray(e) ? new Set(e) : null;
}

/**
 * Jepsen's set-full, for the set workload: every acknowledged (ok) add must be in every node's
 * final read; an element nobody added, or whose add failed, must not be. Adds that ended unknown
 * (info) may be present or not. Each lost element carries when it was acknowledged and the faults
 * active then, which is what a person needs to see why it was lost.
 */
export const setFullChecker: SyncChecker = (history, ctx): CheckResult => {
  const pairs = pairOps(history);
  const adds = new Map<unknown, (typeof pairs)[number]>();
  let acknowledged = 0, indeterminate = 0, failed = 0;
  for (const p of pairs) {
    if (p.f !== 'add' || p.process === 'nemesis') continue;
    if (p.type === 'ok') acknowledged++; else if (p.type === 'fail') failed++; else indeterminate++;
    const prev = adds.get(p.invoke.value);
    if (!prev || prev.type !== 'ok') adds.set(p.invoke.value, p);
  }
  const finals = new Map<string, Set<unknown>>();
  for (const [node, r] of lastFinalRounds(pairs)) {
    const els = elementsOf(r.state);
    if (els) finals.set(node, els);
  }
  const nodes = allNodes(ctx.nodes, finals.keys());
  const missingNodes = nodes.filter((n) => !finals.has(n));
  if (finals.size === 0) return { valid: 'unknown', summary: 'no node has an ok final read of the set', acknowledged, indeterminate, failed, missingNodes };

  const { faults } = faultIntervals(pairs, lastTimeS(history));
  const lost = new CappedList<LostElement>(200);
  let recovered = 0;
  for (const [value, p] of adds) {
    const missingOn = [...finals].filter(([, els]) => !els.has(value)).map(([n]) => n);
    if (p.type === 'ok' && missingOn.length > 0) {
      lost.push({ value: value as number, process: p.process, node: p.node ?? null, index: p.invoke.index, ackS: roundS(p.endS), faults: faultsAt(faults, p.endS), missingOn });
    } else if (p.type !== 'ok' && p.type !== 'fail' && missingOn.length < finals.size) recovered++;
  }
  const unexpected = new CappedList<UnexpectedElement>(50);
  for (const [node, els] of finals) {
    for (const v of els) {
      const p = adds.get(v);
      if (!p) unexpected.push({ value: v, node, reason: 'never added' });
      else if (p.type === 'fail') unexpected.push({ value: v, node, reason: 'add failed' });
    }
  }
  const details = { acknowledged, indeterminate, failed, recovered, lost: lost.items, lostCount: lost.count, unexpected: unexpected.items, unexpectedCount: unexpected.count, missingNodes };
  if (lost.count > 0 || unexpected.count > 0) {
    const parts = [];
    if (lost.count) parts.push(`${lost.count} of ${acknowledged} acknowledged adds lost, first ${lost.items[0]!.value} acknowledged at ${lost.items[0]!.ackS} s${lost.items[0]!.faults.length ? ` during ${lost.items[0]!.faults.join(', ')}` : ''}`);
    if (unexpected.count) parts.push(`${unexpected.count} unexpected elements`);
    return { valid: false, summary: parts.join('; '), ...details };
  }
  if (missingNodes.length) return { valid: 'unknown', summary: `no lost adds on ${finals.size} nodes, but ${missingNodes.join(', ')} gave no final read`, ...details };
  return { valid: true, summary: `all ${acknowledged} acknowledged adds present on every node (${recovered} of ${indeterminate} unknown adds recovered)`, ...details };
};
