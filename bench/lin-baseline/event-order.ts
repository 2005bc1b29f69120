import type { LinOp } from '../../checkers/linearizability/model.ts';

/**
 * The ops' call and return events in real-time order. Event i is op i>>1's call (i even) or
 * return (i odd). At equal times calls go first, so two ops whose call and return coincide count
 * as concurrent (porcupine's rule); pending ops (ret = Infinity) return after everything.
 */
export function eventOrder(ops: readonly LinOp[]): number[] {
  const order: number[] = new Array(2 * ops.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const time = (ev: number) => (ev & 1 ? ops[ev >> 1]!.ret : ops[ev >> 1]!.call);
  order.sort((a, b) => {
    const ta = time(a), tb = time(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    if ((a & 1) !== (b & 1)) return (a & 1) - (b & 1);
    return a - b;
  });
  return order;
}
