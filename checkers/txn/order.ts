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
 *
 * The frontier is always a suffix of the completions in completion order: a completing txn removes
 * exactly the frontier members that completed before its invoke, i.e. every completion before a
 * point. So it is a window `done[head..len)` over one array, and each txn only remembers how many
 * completions there had been at its invoke (`seen`). Two typed arrays of n, no per-txn allocation;
 * the walk needs no sort and no bucket per history position when the txns are in invoke order (a
 * small heap of open txns yields the completions in order).
 */
export function addRealtimeEdges(nodes: readonly Txn[], edges: EdgeBuilder): void {
  const n = nodes.length;
  const done = new Int32Array(n);
  const seen = new Int32Array(n);
  let head = 0, len = 0;
  const onInvoke = (t: Txn) => {
    seen[t.id] = len;
    for (let i = head; i < len; i++) edges.add(done[i]!, t.id, REALTIME);
  };
  const onComplete = (t: Txn) => {
    if (seen[t.id]! > head) head = seen[t.id]!;
    done[len++] = t.id;
  };
  // the usual history: txns in invoke order, each ok one completing after its invoke
  let inOrder = true;
  for (let i = 0; i < n; i++) {
    const t = nodes[i]!;
    if (!Number.isFinite(t.index) || (i > 0 && t.index < nodes[i - 1]!.index) || (t.type === 'ok' && !(t.completeIndex > t.index))) { inOrder = false; break; }
  }
  if (inOrder) {
    // open ok txns, a binary min-heap on completeIndex (as many as run at once)
    const heap: Txn[] = [];
    const pop = (): Txn => {
      const top = heap[0]!, last = heap.pop()!;
      if (heap.length) {
        let i = 0;
        const at = last.completeIndex;
        for (;;) {
          const l = 2 * i + 1, r = l + 1;
          let m = i, mAt = at;
          if (l < heap.length && heap[l]!.completeIndex < mAt) { m = l; mAt = heap[l]!.completeIndex; }
          if (r < heap.length && heap[r]!.completeIndex < mAt) m = r;
          if (m === i) break;
          heap[i] = heap[m]!; i = m;
        }
        heap[i] = last;
      }
      return top;
    };
    const push = (t: Txn) => {
      let i = heap.length;
      heap.push(t);
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p]!.completeIndex <= t.completeIndex) break;
        heap[i] = heap[p]!; i = p;
      }
      heap[i] = t;
    };
    for (let i = 0; i < n; i++) {
      const t = nodes[i]!;
      // a completion at the same position as an invoke counts first (as the event sort below)
      while (heap.length && heap[0]!.completeIndex <= t.index) onComplete(pop());
      onInvoke(t);
      if (t.type === 'ok') push(t);
    }
    while (heap.length) onComplete(pop());
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
