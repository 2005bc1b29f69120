/**
 * One line of history.jsonl, in Jepsen's shape.
 *
 * - `invoke` starts an operation; exactly one of `ok` (it happened), `fail` (it certainly did not
 *   happen) or `info` (unknown: timeout, crash) completes it, or it stays pending at the end.
 * - A client process that gets `info` is retired; its worker continues as process + concurrency.
 * - Faults are recorded by process "nemesis" as `info` invoke/completion pairs
 *   (f = "start-partition", "stop-partition", "start-pause", ...).
 *
 * Op formats per workload (value on invoke → value on completion):
 * - bank:    f "transfer" {from, to, amount} → same;   f "read" null → {"0": 10, "1": 10, ...}
 * - lww:     f "read" [key, null] → [key, v|null];  f "write" [key, v] → same;
 *            f "cas" [key, [expected, new]] → same (fail when the node's value differed)
 * - history: f "append" [key, v] (v unique integer) → same;  f "read" [key, null] → [key, [v...]]
 *            (the node's causal order of the key's entries' values)
 * - every workload, in the final-read phase: f "final-read", node set, value null →
 *   {state: <workload's whole view of that node>, merkleRoot: string}. The phase polls, so one node
 *   can have several final-read rounds; the last ok round per node is its final state.
 *   bank state: {balances: {...}};  lww state: {registers: {key: v|null}};
 *   history state: {keys: {key: [v...]}}.
 * - process "nemesis", f "heal" with type info marks the moment every fault was healed
 *   (start of the recovery phase).
 */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';
export type ProcessId = number | 'nemesis';

export interface Op {
  /** 0.. in file order */
  index: number;
  /** nanoseconds since test start, monotonic */
  time: number;
  type: OpType;
  process: ProcessId;
  /** operation name */
  f: string;
  value: unknown;
  /** the node the client talked to, or the node a final read came from */
  node?: string;
  error?: string;
}

/** An op with `index` and `time` still to be assigned by the recorder. */
export type OpInput = Omit<Op, 'index' | 'time'>;
