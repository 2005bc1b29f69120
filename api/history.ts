/**
 * One line of history.jsonl, in Jepsen's shape.
 *
 * - `invoke` starts an operation; exactly one of `ok` (it happened), `fail` (it certainly did not
 *   happen) or `info` (unknown: timeout, crash) completes it, or it stays pending at the end.
 * - A client process that gets `info` is retired; its worker continues as process + concurrency.
 * - Faults are recorded by process "nemesis" as `info` invoke/completion pairs
 *   (f = "start-partition", "stop-partition", "start-pause", ...).
 * - Every workload, in the final-read phase: f "final-read", `node` set, value null →
 *   {@link FinalRead}. The phase polls, so a node can have several final-read rounds; the last ok
 *   round per node is its final state.
 * - Process "nemesis", f "heal", type info marks the moment every fault was healed (the start of
 *   the recovery phase).
 *
 * Each workload documents the values of its own ops (workloads/<name>.ts).
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

/**
 * The value of an ok final read: the workload's whole view of one node (its shape is the
 * workload's), and, where the system has one, a digest of the node's data (maep: its Merkle root)
 * that must be equal on every node once they converged.
 */
export interface FinalRead {
  state: unknown;
  digest?: string;
}
