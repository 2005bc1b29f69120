import { Rng } from '../../../api/rng.ts';
import type { LinOp } from '../model.ts';

/**
 * A synthetic single-register history (model `register`: read/write, initially null) for scaling
 * runs: `processes` clients call back to back; each op takes effect on one atomic register
 * within 2 ticks of its call and its reply comes back 1 to 100 ticks later, so the history is linearizable by
 * construction. Half the ops are reads; writes write unique values (1, 2, ...), as our lww workload
 * does. (With values from a small set, 20 concurrent clients already make the search explode, for
 * porcupine's design as much as for ours: reads no longer tell which write they saw.)
 *
 * `bad: true` plants one violation at the middle of the history: a read that returns -1, a value
 * nobody wrote. Proving it takes the search through every order of the ops before that read.
 */
export function registerHistory(seed: number, opsCount: number, processes: number, { bad = false } = {}): LinOp[] {
  const rng = new Rng(seed);
  const ops: (LinOp & { at: number })[] = [];
  const free = new Array<number>(processes).fill(0);
  for (let i = 0; i < opsCount; i++) {
    // the process that is free first calls next (ties: lowest number)
    let p = 0;
    for (let q = 1; q < processes; q++) if (free[q]! < free[p]!) p = q;
    const call = free[p]! + rng.int(0, 5);
    // the request reaches the register quickly; the reply takes a random while to come back
    const at = call + rng.next() * 2;
    const ret = Math.ceil(at) + rng.int(1, 10);
    free[p] = ret + 1 + rng.int(0, 20);
    const input = rng.next() < 0.5 ? { f: 'read' } : { f: 'write', value: i + 1 };
    ops.push({ process: p, input, output: true, call, ret, at });
  }
  // run the ops in the order they took effect
  const byEffect = ops.slice().sort((a, b) => a.at - b.at);
  let value: number | null = null;
  for (const o of byEffect) {
    const input = o.input as { f: string; value?: number };
    if (input.f === 'read') o.output = value;
    else value = input.value!;
  }
  if (bad) {
    const read = ops.slice(ops.length >> 1).find((o) => (o.input as { f: string }).f === 'read');
    if (read) read.output = -1;
  }
  return ops.map(({ at: _, ...o }) => o);
}
