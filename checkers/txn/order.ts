import type { Txn } from './types.ts';
import { PROCESS, REALTIME } from './types.ts';
import type { EdgeBuilder } from './graph.ts';
import type { Namer } from './inference.ts';

/**
 * Process edges: consecutive txns of one process (a process runs one txn at a time), ok and info.
 * An info txn ends its process in our histories, and if it committed it did so after its invoke,
 * so the edge into it is sound.
 */
export function addProcessEdges(nodes: readonly Txn[], edges: EdgeBuilder): void {
  const last = new Map<unknown, Txn>();
  for (const t of nodes) {
    const prev = last.get(t.process);
    if (prev) edges.add(prev.id, t.id, PROCESS);
    last.set(t.process, t);
  }
}

/**
 * Realtime edges: A -> B when A completed ok before B was invoked, as a transitive reduction so the
 * edge count stays near n x concurrency: a frontier holds the txns completed with no completed
 * successor yet; an invoke links every frontier txn; when a txn completes, its own predecessors
 * leave the frontier (they reach later txns through it) and it joins. Only ok txns are sources
 * (an info txn's commit time is unknown); info txns are targets.
 */
export function addRealtimeEdges(nodes: readonly Txn[], edges: EdgeBuilder): void {
  // walk the history positions in order; indices are small integers, so a bucket per index
  // avoids sorting two million events (falls back to a sort for odd indices)
  let max = -1, odd = false;
  for (const t of nodes) {
    if (!Number.isInteger(t.index) || t.index < 0 || !Number.isInteger(t.completeIndex)) { odd = true; break; }
    if (t.index > max) max = t.index;
    if (t.completeIndex > max) max = t.completeIndex;
  }
  // no allocation per txn (a million small arrays cost more in GC than the work itself):
  // the frontier is a dense list with positions; each ok txn's predecessors are a slice of one arena
  const n = nodes.length;
  const frontier = new Int32Array(n);
  const posIn = new Int32Array(n).fill(-1);
  let fLen = 0;
  const predStart = new Int32Array(n), predLen = new Int32Array(n);
  let arena = new Int32Array(Math.max(1024, n * 2)), aLen = 0;
  const onInvoke = (t: Txn) => {
    if (fLen === 0) return;
    if (aLen + fLen > arena.length) { const b = new Int32Array(Math.max(arena.length * 2, aLen + fLen)); b.set(arena); arena = b; }
    predStart[t.id] = aLen; predLen[t.id] = fLen;
    for (let i = 0; i < fLen; i++) { const p = frontier[i]!; arena[aLen++] = p; edges.add(p, t.id, REALTIME); }
  };
  const onComplete = (t: Txn) => {
    for (let i = predStart[t.id]!, end = i + predLen[t.id]!; i < end; i++) {
      const p = arena[i]!;
      const at = posIn[p]!;
      if (at < 0) continue;
      const last = frontier[--fLen]!;
      frontier[at] = last; posIn[last] = at; posIn[p] = -1;
    }
    predLen[t.id] = 0;
    frontier[fLen] = t.id; posIn[t.id] = fLen++;
  };
  if (!odd && max < nodes.length * 8 + 1024) {
    const invokeAt = new Int32Array(max + 1).fill(-1);
    const completeAt = new Int32Array(max + 1).fill(-1);
    for (const t of nodes) {
      invokeAt[t.index] = t.id;
      if (t.type === 'ok' && t.completeIndex >= 0) completeAt[t.completeIndex] = t.id;
    }
    for (let i = 0; i <= max; i++) {
      if (completeAt[i]! >= 0) onComplete(nodes[completeAt[i]!]!);
      if (invokeAt[i]! >= 0) onInvoke(nodes[invokeAt[i]!]!);
    }
    return;
  }
  const evs: { at: number; seq: number; t: Txn; complete: boolean }[] = [];
  for (const t of nodes) {
    evs.push({ at: t.index, seq: 1, t, complete: false });
    if (t.type === 'ok' && t.completeIndex >= 0) evs.push({ at: t.completeIndex, seq: 0, t, complete: true });
  }
  evs.sort((x, y) => x.at - y.at || x.seq - y.seq);
  for (const e of evs) (e.complete ? onComplete : onInvoke)(e.t);
}

export function explainOrder(a: Txn, b: Txn, kind: number, name: Namer): { why: string } | null {
  if (kind === PROCESS) return { why: `${name(a)} and ${name(b)} ran on process ${String(a.process)}, ${name(a)} first (op ${a.index} before op ${b.index})` };
  if (kind === REALTIME) return { why: `${name(a)} completed (op ${a.completeIndex}) before ${name(b)} was invoked (op ${b.index})` };
  return null;
}
