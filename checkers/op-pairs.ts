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

/**
 * One pair as stored: six fields; value, node, startS and endS are read from the two ops, so a
 * million pairs cost ~70 MB rather than ~140 MB (issue #20: a 1M-op history checked in 1 GB).
 */
class Pair implements OpPair {
  completion: Op | undefined = undefined;
  constructor(readonly process: ProcessId, readonly f: string, public type: Outcome, readonly invoke: Op, private readonly history: { endS: number }) {}
  get value(): unknown { return this.completion ? this.completion.value : this.invoke.value; }
  get node(): string | undefined { return this.completion?.node ?? this.invoke.node; }
  get startS(): number { return nsToS(this.invoke.time); }
  get endS(): number { return this.completion ? nsToS(this.completion.time) : this.history.endS; }
}

/** Pairs in invocation order. */
export function pairOps(history: readonly Op[]): OpPair[] {
  const pairs: OpPair[] = [];
  // open ops: clients by process number, the nemesis by f
  const openClient = new Map<number, Pair>();
  const openNemesis = new Map<string, Pair>();
  const end = { endS: lastTimeS(history) };
  for (const op of history) {
    if (!isOp(op)) continue;
    const nemesis = op.process === 'nemesis';
    if (nemesis && op.f === 'heal') {
      const pair = new Pair(op.process, op.f, op.type === 'invoke' ? 'info' : op.type, op, end);
      pair.completion = op;
      pairs.push(pair);
      continue;
    }
    const current = nemesis ? openNemesis.get(op.f) : openClient.get(op.process as number);
    if (op.type === 'invoke' || (nemesis && !current)) {
      // a second invoke on an open client slot: the earlier one never completed
      const pair = new Pair(op.process, op.f, 'pending', op, end);
      pairs.push(pair);
      if (nemesis) openNemesis.set(op.f, pair); else openClient.set(op.process as number, pair);
      continue;
    }
    if (!current || (op.type !== 'ok' && op.type !== 'fail' && op.type !== 'info')) continue;
    current.type = op.type;
    current.completion = op;
    if (nemesis) openNemesis.delete(op.f); else openClient.delete(op.process as number);
  }
  return pairs;
}
