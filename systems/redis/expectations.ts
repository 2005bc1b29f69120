import type { Expected } from '../../api/checker.ts';

const STATS: Expected = { expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' };
const CONVERGE: Expected = { expected: 'valid', why: 'once healed, Sentinel makes every node replicate one primary, and each replica resynchronises to it' };
const ASYNC = 'replication is asynchronous: the primary acknowledges a write before any replica has it; when a partition or a crash makes Sentinel promote a replica that lacks the last writes, and the old primary is demoted and resynchronised from the new one, those acknowledged writes are discarded';

export const HISTORY_EXPECTATIONS: Record<string, Expected> = {
  stats: STATS,
  'lost-writes': { expected: 'may-fail', why: ASYNC },
  causal: { expected: 'may-fail', why: `a read can see an append that a failover later discards, and a later read misses it (${ASYNC})` },
  session: { expected: 'may-fail', why: 'after a failover a session can read the new primary, which lacks what the session saw or wrote on the old one' },
  convergence: CONVERGE,
};

export const SET_EXPECTATIONS: Record<string, Expected> = {
  stats: STATS,
  'set-full': { expected: 'may-fail', why: ASYNC },
  convergence: CONVERGE,
};

export const LWW_EXPECTATIONS: Record<string, Expected> = {
  stats: STATS,
  linearizability: { expected: 'may-fail', why: `two primaries can accept writes at once during a partition (the old one until it is demoted), and a failover can discard acknowledged writes: ${ASYNC}` },
  session: { expected: 'may-fail', why: 'after a failover a session can read the new primary, which lacks its own earlier write' },
  convergence: CONVERGE,
};
