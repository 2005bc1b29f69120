/**
 * What the linearizability search needs to know about a system: a sequential specification,
 * given as data (functions on plain values), in the shape of porcupine's Model.
 *
 * - `step(state, input, output)` returns the next state, or ILLEGAL when the op could not have
 *   returned `output` in `state`. A sentinel instead of an {ok, state} pair keeps the search's hot
 *   loop free of allocation. `output` is `undefined` for a pending (indeterminate) op: the model
 *   must then accept the op in every state (it may have taken effect with any outcome).
 * - States are compared by `equal` and hashed by `hash`. Models whose states are primitives
 *   (number, string, boolean, null) may leave both out: the search then uses JS value identity.
 * - `partitionKey` makes the model P-compositional: ops with different keys are checked
 *   independently (Herlihy & Wing's locality), which is what makes per-key checking fast.
 */
export const ILLEGAL: unique symbol = Symbol('illegal');
export type Illegal = typeof ILLEGAL;

export interface Model<S = unknown, I = unknown, O = unknown> {
  name: string;
  init(): S;
  step(state: S, input: I, output: O | undefined): S | Illegal;
  hash?(state: S): number;
  equal?(a: S, b: S): boolean;
  partitionKey?(input: I): string | number;
  /**
   * True when the op changes no state wherever it is legal (a read, a failed cas). Lets the search
   * take such ops greedily (see search.ts). Must be exact: a wrong `true` gives wrong verdicts.
   */
  readOnly?(input: I, output: O | undefined): boolean;
  /**
   * Optional, together with `produces`, for one exact pruning (search.ts, "retired states"): the
   * one state in which this completed op can be linearized (a read of v, a cas from v that took
   * effect), or undefined when it fits several states or none is known.
   */
  observes?(input: I, output: O): S | undefined;
  /**
   * The state this op leaves whenever it changes the state (a write of v, a cas to v), or
   * undefined when it never changes it. Must cover every op that can change the state: the search
   * relies on "no unplaced op produces s" to conclude that s can never come back.
   */
  produces?(input: I): S | undefined;
  /**
   * Optional preprocessing of one partition's ops before the search: drop ops that provably
   * cannot matter (e.g. registers: a pending write nobody observed). Must keep the verdict exact.
   */
  simplify?(ops: LinOp[]): LinOp[];
  /** why the model cannot interpret this op (unsupported f, malformed value), or undefined */
  validate?(input: unknown, output: unknown): string | undefined;
  /** one short line, e.g. "cas(1→2) ok" or "read → 3"; output undefined = pending */
  describeOp(input: I, output: O | undefined): string;
  describeState(state: S): string;
}

/**
 * The common operation form every reader produces: one completed or pending call.
 * `call` and `ret` order events in real time (any monotonic scale: line numbers, ns); an op whose
 * `ret` is Infinity is pending (info or never completed) and may take effect at any point after
 * `call`, or never.
 */
export interface LinOp {
  process: number | string;
  input: unknown;
  /** undefined when pending */
  output: unknown;
  call: number;
  ret: number;
  /** for reports: invoke/complete times in ns when known (our history.jsonl), else call/ret */
  invokeTime?: number;
  completeTime?: number;
  /** for reports: index of the invoke line in the source history */
  historyIndex?: number;
  /**
   * set by a model's simplify step when a pending op was given the latest return time it could
   * have had (see models/register.ts); reports still show it as pending
   */
  inferredReturn?: boolean;
}

/** What a reader returns: the ops, and lines it could not interpret (never thrown). */
export interface ReadResult {
  ops: LinOp[];
  problems: string[];
}

export function isPending(op: LinOp): boolean {
  return op.ret === Infinity;
}
