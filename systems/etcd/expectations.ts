import type { Expected } from '../../api/checker.ts';
import type { SystemRun } from '../../api/system.ts';

const STATS: Expected = { expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' };
const CONVERGE: Expected = { expected: 'valid', why: 'every member applies the same raft log: once healed, every member answers the same state' };

/** lww: linearizable unless the run asked for serializable (member-local) reads */
export function lwwExpectations(run: Pick<SystemRun, 'workload' | 'faultKinds'>): Record<string, Expected> {
  if (run.workload.params['serializable-reads'] !== true) {
    return {
      stats: STATS,
      linearizability: { expected: 'valid', why: 'etcd serves puts, txns and default (linearizable) reads through raft: every op takes effect at one instant between its invoke and its completion' },
      session: { expected: 'valid', why: 'a linearizable register gives every session its own writes and monotonic reads' },
      convergence: CONVERGE,
    };
  }
  const partitioned = run.faultKinds.includes('partition');
  return {
    stats: STATS,
    linearizability: partitioned
      ? { expected: 'invalid', why: 'serializable reads are answered from the member\'s own state without asking the leader: a member cut off by a partition keeps answering old values (the negative control: a real stale read the checker must catch)' }
      : { expected: 'may-fail', why: 'serializable reads are answered from the member\'s own state and may lag the leader; without partitions the lag is short and rarely seen' },
    session: { expected: 'may-fail', why: 'a serializable read from a lagging member can miss the session\'s own earlier write' },
    convergence: CONVERGE,
  };
}

export const BANK_EXPECTATIONS: Record<string, Expected> = {
  stats: STATS,
  'bank-total': { expected: 'valid', why: 'each transfer is one txn writing both accounts, and a read is one range at one revision: every read sums to the total' },
  'bank-no-overdraft': { expected: 'valid', why: 'a transfer commits only if both accounts are unchanged since it checked the balance (mod revision compare), so no balance goes negative' },
  'bank-fold': { expected: 'valid', why: 'the final balances are the initial ones plus exactly the transfers that committed (ok ones and some of the unknown ones)' },
  convergence: CONVERGE,
};

export const HISTORY_EXPECTATIONS: Record<string, Expected> = {
  stats: STATS,
  'lost-writes': { expected: 'valid', why: 'an acknowledged append committed through raft on a majority: it survives partitions, pauses and kills of a minority' },
  causal: { expected: 'valid', why: 'etcd is linearizable, which implies causal consistency' },
  session: { expected: 'valid', why: 'linearizable reads see every write that completed before they began, the session\'s own included' },
  convergence: CONVERGE,
};

/** Elle's transactions: one etcd txn each, on a linearizable store */
export const TXN_EXPECTATIONS = (checker: string): Record<string, Expected> => ({
  stats: STATS,
  [checker]: { expected: 'valid', why: 'each transaction is one etcd txn that reads at one revision and commits only if nothing it read changed since: strict serializable, so no cycle of any kind may appear' },
});
