/**
 * Pairs each invoke with its completion (same process, next completion). Pure.
 * The nemesis records Jepsen-style info/info pairs (op.ts): its first info of an f opens the op,
 * the next info of that f completes it. An explicit invoke works too.
 */
import type { Op, ProcessId } from '../history/op.ts';

export type Outcome = 'ok' | 'fail' | 'info' | 'pending';

export interface OpPair {
  process: ProcessId;
  f: string;
  /** ns since test start */
  start: number;
  /** ns; null while pending (no completion in the history) */
  end: number | null;
  type: Outcome;
  invokeValue: unknown;
  value: unknown;
  node?: string;
  error?: string;
  /** index of the invoke op */
  index: number;
}

export function pairOps(ops: readonly Op[]): OpPair[] {
  const out: OpPair[] = [];
  const open = new Map<ProcessId, number>();
  const nemOpen = new Map<string, number>();
  for (const op of ops) {
    if (op.process === 'nemesis') {
      const at = nemOpen.get(op.f);
      if (at === undefined) {
        nemOpen.set(op.f, out.length);
        out.push({ process: op.process, f: op.f, start: op.time, end: null, type: 'pending', invokeValue: op.value, value: undefined, node: op.node, index: op.index });
      } else {
        nemOpen.delete(op.f);
        const p = out[at];
        p.end = op.time; p.type = op.type === 'invoke' ? 'info' : op.type; p.value = op.value;
        if (op.error !== undefined) p.error = op.error;
      }
      continue;
    }
    if (op.type === 'invoke') {
      open.set(op.process, out.length);
      out.push({ process: op.process, f: op.f, start: op.time, end: null, type: 'pending', invokeValue: op.value, value: undefined, node: op.node, index: op.index });
      continue;
    }
    const at = open.get(op.process);
    if (at === undefined) {
      // a completion without invoke (e.g. the history starts mid-way): show it as an instant op
      out.push({ process: op.process, f: op.f, start: op.time, end: op.time, type: op.type, invokeValue: undefined, value: op.value, node: op.node, error: op.error, index: op.index });
      continue;
    }
    open.delete(op.process);
    const p = out[at];
    p.end = op.time; p.type = op.type; p.value = op.value;
    if (op.node !== undefined) p.node = op.node;
    if (op.error !== undefined) p.error = op.error;
  }
  return out;
}

/** Last op time in the history (ns), 0 for an empty one. */
export function historyEnd(ops: readonly Op[]): number {
  let m = 0;
  for (const op of ops) if (op.time > m) m = op.time;
  return m;
}
