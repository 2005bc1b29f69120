/**
 * The checkers' public face. Each checker is a pure, deterministic `Checker` (types.ts):
 * `(history, ctx) => CheckResult` with `valid`, a one-line `summary`, and capped violation lists
 * naming ops by index, process, node, value and time (seconds since the test started).
 */
export type { Checker, CheckResult, CheckContext, Expectation, ExpectedCheck, CheckerOutcome, Validity } from '../api/checker.ts';
export { matches } from '../api/checker.ts';

/** ok/fail/info/pending counts per f; invalid when no client op succeeded. Needs nothing in ctx. */
export { statsChecker } from './stats.ts';

/** Every node's last final read has the same state and digest (maep: Merkle root); how long after the heal. Any workload. */
export { convergenceChecker } from './convergence.ts';

/** History workload: acknowledged appends in every node's final read; recovered / unexpected / duplicated values. */
export { lostWritesChecker } from './lost-writes.ts';

/** Bank: every read and final read sums to the total. ctx.workload {accounts, initialBalance, total}. */
export { bankTotalChecker } from './bank-total.ts';

/** Bank: no negative balance; reports the worst overdraft. Needs nothing in ctx. */
export { bankNoOverdraftChecker } from './bank-overdraft.ts';

/** Bank: final balances are the fold of ok transfers plus some subset of indeterminate ones. ctx.workload {accounts, initialBalance}. */
export { bankFoldChecker, MAX_EXACT_INDETERMINATE } from './bank-fold.ts';

/** History workload: causal consistency (happens-before from process order and reads; missing predecessors, final order, cycles). */
export { causalChecker, MAX_CLOCK_ENTRIES } from './causal.ts';

/** Session guarantees per process (read-your-writes, monotonic reads/writes, writes-follow-reads), history and lww ops. */
export { sessionChecker } from './session.ts';
export type { Guarantee, SessionViolation } from './session-types.ts';

/** Timeline data for the report: per-op latency, per-second throughput by outcome, fault intervals. Not a checker. */
export { timeline, timelineOfPairs, throughputBuckets, isThroughputOp } from './timeline.ts';
export type { Timeline, OpRecord, ThroughputBucket, FaultInterval } from './timeline.ts';

/** Shared helpers for other checkers and the report: invoke/completion pairing, final reads, heal time. */
export { pairOps, nsToS, lastTimeS } from './op-pairs.ts';
export type { OpPair, Outcome } from './op-pairs.ts';
export { finalRounds, lastFinalRounds, healTimeS } from './final-reads.ts';
export type { FinalRound } from './final-reads.ts';

/** Linearizability (porcupine-style search), written in ./linearizability/ by its own owner. */
export { linearizabilityChecker } from './linearizability/index.ts';

/** Transactional isolation (Elle-style): list-append and rw-register histories against a consistency model; cycles explained in words. */
export { listAppendChecker, rwRegisterChecker, txnChecker, checkTxns, cycleLayout, cycleSvg, cycleText } from './txn/index.ts';
