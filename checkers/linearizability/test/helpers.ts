import type { LinOp } from '../model.ts';

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
