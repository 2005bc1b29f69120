import { ILLEGAL, type LinOp, type Model } from '../model.ts';

/** a completed op from `call` to `ret` (any time scale) */
export function op(process: number, call: number, ret: number, input: unknown, output: unknown = true): LinOp {
  return { process, call, ret, input, output };
}

/** an op that never completed (info): pending from `call` on */
export function pendingOp(process: number, call: number, input: unknown): LinOp {
  return { process, call, ret: Infinity, input, output: undefined };
}

export const read = (key?: string | number) => (key === undefined ? { f: 'read' } : { f: 'read', key });
export const write = (value: unknown, key?: string | number) => (key === undefined ? { f: 'write', value } : { f: 'write', key, value });
export const cas = (from: unknown, to: unknown, key?: string | number) => (key === undefined ? { f: 'cas', from, to } : { f: 'cas', key, from, to });

/** reference: every real-time-respecting order, no memo, no pruning; pending ops optional */
export function bruteForce(ops: LinOp[], model: Model<any, any, any>): boolean {
  const placed = new Array(ops.length).fill(false);
  const go = (state: unknown, left: number): boolean => {
    if (left === 0) return true;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i]) continue;
      // i may go next only if no unplaced completed op returned before i was called
      if (ops.some((p, j) => !placed[j] && j !== i && p.ret < ops[i]!.call)) continue;
      const pending = ops[i]!.ret === Infinity;
      const next = model.step(state, ops[i]!.input, pending ? undefined : ops[i]!.output);
      if (next === ILLEGAL) continue;
      placed[i] = true;
      const ok = go(next, left - (pending ? 0 : 1));
      placed[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return go(model.init(), ops.filter((o) => o.ret !== Infinity).length);
}

