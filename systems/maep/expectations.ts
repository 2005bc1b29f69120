import type { Expected } from '../../api/checker.ts';

const CONVERGE = (what: string): Expected => ({ expected: 'valid', why: `after healing, anti-entropy must bring every node to the same ${what} and Merkle root` });

/** What maep, an AP store, is expected to show for each checker of each workload, and why. */
export const MAEP_EXPECTATIONS: Record<string, Record<string, Expected>> = {
  bank: {
    stats: { expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' },
    'bank-total': { expected: 'valid', why: 'a transfer moves money and never creates or destroys it, so every read sums to the total' },
    'bank-no-overdraft': { expected: 'may-fail', why: "maep approves transfers on each node's local view; concurrent transfers and partitions can overdraw" },
    'bank-fold': { expected: 'valid', why: 'every node folds the same log of transfers: final balances are the initial ones plus every ok transfer and some of the unknown (info) ones' },
    convergence: CONVERGE('balances'),
  },
  lww: {
    stats: { expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' },
    linearizability: { expected: 'may-fail', why: 'maep replicates asynchronously and answers from its local view: stale reads and cas on old values are allowed for an AP store' },
    session: { expected: 'may-fail', why: "last-writer-wins lets a concurrent write from another node (or an older one from a node with a skewed clock) replace a process's own write, so read-your-writes on a register is not promised" },
    convergence: CONVERGE('registers'),
  },
  history: {
    stats: { expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' },
    'lost-writes': { expected: 'valid', why: "an acknowledged append is in the node's log and is replicated; after healing every node's final read must hold it, and nothing nobody appended" },
    causal: { expected: 'valid', why: "maep makes an entry visible only once everything in its origin's causal context is visible (causal delivery)" },
    session: { expected: 'may-fail', why: 'each process sticks to one node, but maep promises no session guarantees: a paused, killed or restarted node can come back behind what the session saw' },
    convergence: CONVERGE('histories'),
  },
  set: {
    stats: { expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' },
    'set-full': { expected: 'valid', why: "an acknowledged add is in the node's log and is replicated by push and anti-entropy; after healing every node's final read must hold it" },
    convergence: CONVERGE('sets'),
  },
  'list-append': {
    stats: { expected: 'valid', why: 'some txns of each kind must succeed, or the run tested nothing' },
    'list-append': { expected: 'may-fail', why: "a txn is atomic at the node that runs it (one step, replicated as one op) but maep is an AP store with no isolation across nodes: two nodes can both read the same list and append (G-single, G2-item: neither saw the other), a partition lets their views diverge and merge later in an order a reader did not see (incompatible-order), and a stale node serves reads behind an acknowledged txn (-realtime cycles)" },
  },
  'rw-register': {
    stats: { expected: 'valid', why: 'some txns of each kind must succeed, or the run tested nothing' },
    'rw-register': { expected: 'may-fail', why: 'a txn is atomic at the node that runs it but maep is an AP store with no isolation across nodes: two nodes can read the same value and both overwrite it (lost-update, G-single), partitions let them diverge, and a stale node serves reads behind an acknowledged txn (-realtime cycles)' },
  },
};
