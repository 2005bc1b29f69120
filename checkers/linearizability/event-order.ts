import type { LinOp } from './model.ts';

/**
 * The ops' call and return events in real-time order. Event i is op i>>1's call (i even) or
 * return (i odd). At equal times calls go first, so two ops whose call and return coincide count
 * as concurrent (porcupine's rule); pending ops (ret = Infinity) return after everything.
 * Ties between two calls or two returns go by op index.
 *
 * Built as a merge of the calls sorted by time and the returns sorted by time (each sort over
 * plain numbers, n items, and the calls usually already in order), which gives the same order as
 * sorting all 2n events with that rule in one comparator, at a fraction of the cost.
 */
export function eventOrder(ops: readonly LinOp[]): number[] {
  const n = ops.length;
  const calls = new Float64Array(n), rets = new Float64Array(n);
  let callsSorted = true;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    calls[i] = op.call;
    rets[i] = op.ret;
    if (i > 0 && !(calls[i - 1]! <= calls[i]!)) callsSorted = false;
  }
  const byCall = callsSorted ? undefined : sortedBy(calls);
  const byRet = sortedBy(rets);
  const order: number[] = new Array(2 * n);
  let c = 0, r = 0, k = 0;
  while (c < n && r < n) {
    const a = byCall ? byCall[c]! : c, b = byRet[r]!;
    // calls first at equal times: a call goes unless the return is strictly earlier
    if (rets[b]! < calls[a]!) { order[k++] = 2 * b + 1; r++; } else { order[k++] = 2 * a; c++; }
  }
  while (c < n) { order[k++] = 2 * (byCall ? byCall[c]! : c); c++; }
  while (r < n) order[k++] = 2 * byRet[r++]! + 1;
  return order;
}

/**
 * indices 0..n-1 ordered by (t[i], i). Insertion sort first (the times are nearly in order: calls
 * and returns follow the history), giving up for a full sort past a few shifts per item. Infinite
 * times (pending ops' returns) go last in index order without being shifted through the others.
 */
export function sortedBy(t: Float64Array): Int32Array {
  const n = t.length;
  const idx = new Int32Array(n);
  let budget = 8 * n + 64;
  let finite = 0, infinite = 0;
  for (let i = 0; i < n; i++) {
    const ti = t[i]!;
    if (ti === Infinity) { infinite++; continue; }
    let j = finite - 1;
    // equal times keep index order: i is the largest index so far, so it stays after them
    while (j >= 0 && t[idx[j]!]! > ti) { idx[j + 1] = idx[j]!; j--; }
    idx[j + 1] = i;
    budget -= finite - 1 - j;
    finite++;
    if (budget < 0) {
      const all = Array.from({ length: n }, (_, k) => k);
      all.sort((a, b) => (t[a]! !== t[b]! ? (t[a]! < t[b]! ? -1 : 1) : a - b));
      return Int32Array.from(all);
    }
  }
  if (infinite > 0) for (let i = 0; i < n; i++) if (t[i] === Infinity) idx[finite++] = i;
  return idx;
}
