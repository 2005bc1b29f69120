/**
 * Shared shapes of the transactional checker (issue #16). A txn op in the history is
 * `f: "txn"` whose value is an array of micro-ops:
 * - list-append: `["append", k, v]`, `["r", k, null]` on invoke, `["r", k, [v ...]]` on ok;
 * - rw-register: `["w", k, v]`, `["r", k, null]` on invoke, `["r", k, v | null]` on ok.
 * Everything here is plain JSON so results.json can carry it.
 */
export type Key = string | number;
export type MicroOp = [f: 'append' | 'r' | 'w', k: Key, v: unknown];

export type TxnType = 'ok' | 'info' | 'fail';

/** one transaction: an invoke paired with its completion (pending at the end counts as info) */
export interface Txn {
  /** node number in the dependency graph (ok and info txns), or -1 for failed ones */
  id: number;
  /** index of the invoke op */
  index: number;
  /** index of the completion op, -1 when it never completed */
  completeIndex: number;
  process: number | string;
  type: TxnType;
  // no times: realtime order comes from history positions (index), and a million boxed
  // nanosecond doubles would only feed the GC
  /** the completion's micro-ops for ok txns, the invoke's for info and fail ones */
  ops: MicroOp[];
}

/** Edge kinds, as bits so masks can select them. */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const EDGE_NAMES: Record<number, string> = { [WW]: 'ww', [WR]: 'wr', [RW]: 'rw', [PROCESS]: 'process', [REALTIME]: 'realtime' };

/** a transaction as a person reads it in a report */
export interface TxnRef {
  /** name inside one explanation: T1, T2, ... */
  name: string;
  /** history index of the invoke (the completion's when it has one is `completeIndex`) */
  index: number;
  completeIndex: number;
  process: number | string;
  type: TxnType;
  value: MicroOp[];
}

export interface CycleStep {
  from: string;
  to: string;
  /** ww | wr | rw | process | realtime */
  type: string;
  key?: Key;
  /** why the edge exists, in words a person can check against the history */
  why: string;
}

/** one cycle anomaly (G0, G1c, G-single, G2-item and their -process / -realtime variants) */
export interface CycleAnomaly {
  type: string;
  txns: TxnRef[];
  /** steps[i] goes from txns[i] to txns[(i+1) % n] */
  steps: CycleStep[];
  /** the whole cycle on one line, e.g. "T1 -ww-> T2 -rw-> T1" */
  text: string;
}

/** a non-cycle anomaly (G1a, G1b, internal, duplicate-appends, incompatible-order, garbage-read) */
export interface OpAnomaly {
  type: string;
  /** the txn at fault (the reader, for read anomalies) */
  txn: TxnRef;
  key?: Key;
  /** what was observed and why it is wrong, in words */
  why: string;
  [detail: string]: unknown;
}

export type Anomaly = CycleAnomaly | OpAnomaly;

/** anomaly type -> found instances; `count` says how many there were when the list is capped */
export interface Found {
  list: Anomaly[];
  count: number;
}
