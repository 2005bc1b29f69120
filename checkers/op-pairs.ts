import type { Op, ProcessId } from '../api/history.ts';

/**
 * Pairs each invocation with its completion. Checkers work on pairs, not raw lines.
 *
 * Clients: per process, an `invoke` opens an op and the next ok/fail/info of that process closes it.
 * Nemesis: faults are recorded as `info`/`info` (or `invoke`/`info`) pairs with the same f; a
 * nemesis op with no open op of that f opens one, the next one of that f closes it. The nemesis's
 * `heal` is a one-line marker (op.ts), so each heal line is a complete pair of its own (start = end).
 * Garbled lines (no process, no f, a completion with nothing open) are skipped, never thrown on.
 */
export type Outcome = 'ok' | 'fail' | 'info' | 'pending';

export interface OpPair {
  process: ProcessId;
  f: string;
  /** 'pending' when the history ended before a completion */
  type: Outcome;
  invoke: Op;
  completion?: Op;
  /** the completion's value when there is one, else the invocation's */
  value: unknown;
  node?: string;
  startS: number;
  /** end of the op in seconds; for pending ops the time of the last line in the history */
  endS: number;
}

export const nsToS = (ns: number): number => ns / 1e9;

function isOp(op: unknown): op is Op {
  if (op === null || typeof op !== 'object') return false;
  const o = op as Partial<Op>;
  return (typeof o.process === 'number' || o.process === 'nemesis') && typeof o.f === 'string' &&
    typeof o.type === 'string' && typeof o.time === 'number' && Number.isFinite(o.time);
}

/** Time of the last (valid) line in seconds, 0 for an empty history. */
export function lastTimeS(history: readonly Op[]): number {
  let lastTime = 0;
  for (const op of history) if (isOp(op) && op.time > lastTime) lastTime = op.time;
  return nsToS(lastTime);
}

/** Pairs in invocation order. */
export function pairOps(history: readonly Op[]): OpPair[] {
  const pairs: OpPair[] = [];
  const open = new Map<string, OpPair>();
  const endS = lastTimeS(history);
  for (const op of history) {
    if (!isOp(op)) continue;
    const nemesis = op.process === 'nemesis';
    if (nemesis && op.f === 'heal') {
      const t = nsToS(op.time);
      const type = op.type === 'invoke' ? 'info' : op.type;
      pairs.push({ process: op.process, f: op.f, type, invoke: op, completion: op, value: op.value, node: op.node, startS: t, endS: t });
      continue;
    }
    const slot = nemesis ? `nemesis:${op.f}` : `p:${op.process}`;
    const current = open.get(slot);
    if (op.type === 'invoke' || (nemesis && !current)) {
      // a second invoke on an open client slot: the earlier one never completed
      const pair: OpPair = {
        process: op.process, f: op.f, type: 'pending', invoke: op, value: op.value,
        node: op.node, startS: nsToS(op.time), endS,
      };
      pairs.push(pair);
      open.set(slot, pair);
      continue;
    }
    if (!current || (op.type !== 'ok' && op.type !== 'fail' && op.type !== 'info')) continue;
    current.type = op.type;
    current.completion = op;
    current.value = op.value;
    current.node = op.node ?? current.node;
    current.endS = nsToS(op.time);
    open.delete(slot);
  }
  return pairs;
}
