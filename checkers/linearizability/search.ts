import { Rng } from '../../api/rng.ts';
import { ConfigCache } from './cache.ts';
import { ILLEGAL, type LinOp, type Model } from './model.ts';
import { StateTable } from './state-table.ts';
import { eventOrder, sortedBy } from './event-order.ts';
import { ILLEGAL_ID, TransitionMemo, UNKNOWN_ID } from './transitions.ts';
import { RetiredStates } from './retired.ts';

/**
 * Wing & Gong's linearizability search with Lowe's memoization, as porcupine structures it.
 *
 * The history is a doubly linked list of call and return entries in real-time order. The search
 * repeatedly takes a call entry that precedes the first return entry (an op that may go next),
 * applies it to the model, and if legal and the (linearized set, state) configuration is new,
 * "lifts" the op (unlinks its call and return entries, O(1)) and starts again from the head.
 * Reaching a return entry means the op it closes must have been linearized already: backtrack by
 * popping the last lifted op, "unlifting" it (relinking, O(1), dancing-links style) and trying the
 * next candidate. An empty candidate stack at a return entry means no linearization exists.
 *
 * One pruning porcupine does not do (a partial-order reduction): when a candidate op is read-only
 * (the model's `readOnly`: it never changes any state, like a read or a failed cas) and legal now,
 * taking it first is never worse. Any linearization from here that places it later can move it to
 * the front: its call precedes every remaining return, so no real-time order is broken, and since
 * it changes no state the ops it jumps over see the same states. So if the search fails after
 * taking such an op, the configuration before it fails too, and backtracking skips the other
 * candidates at that level. (Leaving the state unchanged *now* is not enough: a write of the
 * current value would change a later state.)
 *
 * A second one for pending ops with the same input ("twins"): they are interchangeable, and the
 * one called first can stand wherever a later one stands (no return constrains either), so the
 * search only considers linearizations that place twins in call order: a pending op is skipped
 * while its earlier twin is still unplaced.
 *
 * A third, for models that say which state an op needs and which it makes (registers): leaving a
 * state that an unplaced op still needs, when no unplaced op can make it again, is a dead end
 * (retired.ts). It is counted as a dead end one op deeper, so the longest linearization still
 * ends with the move that stranded the op.
 *
 * Pending ops (ret = Infinity) sit after every real return, so they may go at any point; once
 * every completed op is placed the history is linearizable (the pending ones never took effect).
 */
export type SearchOutcome =
  | { kind: 'linearizable' }
  | { kind: 'illegal'; longest: number[] }
  | { kind: 'timeout' };

/** how many loop iterations between clock reads */
const CLOCK_EVERY = 2048;

/**
 * per-op random 32-bit words: the linearized set's hash is the XOR of its members' words. The
 * words depend only on the op's number, so one table (grown on demand, same generator and seed,
 * hence the same words as drawing them per search) serves every search: a check of an 80-op
 * history no longer draws its words afresh.
 */
let sharedHashes = new Int32Array(0);
function opHashes(n: number): Int32Array {
  if (n > sharedHashes.length) {
    const rng = new Rng(0x5eed11);
    const z = new Int32Array(Math.max(n, 1024));
    for (let i = 0; i < z.length; i++) z[i] = (rng.next() * 4294967296) | 0;
    sharedHashes = z;
  }
  return sharedHashes.subarray(0, n);
}

/**
 * What a search needs from the history, independent of the search's position: ops numbered in
 * call order, the call/return entry list, per-op inputs, outputs and flags. Read-only once built,
 * so the evidence rerun (check.ts) shares it with the first search instead of sorting again.
 */
export interface PreparedPartition {
  readonly n: number;
  readonly originalIndex: Int32Array;
  /** the entry list as built, before any lift (each search copies it) */
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly entryOp: Int32Array;
  readonly match: Int32Array;
  readonly inputs: unknown[];
  readonly outputs: unknown[];
  readonly pending: Uint8Array;
  readonly readOnly: Uint8Array;
  readonly twinBefore: Int32Array;
  readonly required: number;
}

export function preparePartition(unsorted: readonly LinOp[], model: Model<any, any, any>): PreparedPartition {
  const n = unsorted.length;
  // ops are numbered in call order, so linearized sets are nearly prefixes (see cache.ts)
  const calls = new Float64Array(n);
  for (let i = 0; i < n; i++) calls[i] = unsorted[i]!.call;
  const originalIndex = sortedBy(calls);
  const ops: LinOp[] = new Array(n);
  for (let i = 0; i < n; i++) ops[i] = unsorted[originalIndex[i]!]!;
  const order = eventOrder(ops);
  const size = 2 * n + 2;
  const next = new Int32Array(size);
  const prev = new Int32Array(size);
  const entryOp = new Int32Array(size);
  const match = new Int32Array(size).fill(-1);
  const callEntry = new Int32Array(n);
  for (let p = 0; p < 2 * n; p++) {
    const ev = order[p]!;
    entryOp[p + 1] = ev >> 1;
    if (!(ev & 1)) callEntry[ev >> 1] = p + 1;
  }
  for (let p = 0; p < 2 * n; p++) {
    const ev = order[p]!;
    if (ev & 1) match[callEntry[ev >> 1]!] = p + 1;
  }
  for (let e = 0; e < size; e++) { next[e] = e + 1; prev[e] = e - 1; }

  const pending = new Uint8Array(n);
  let required = 0;
  for (let i = 0; i < n; i++) {
    if (ops[i]!.ret === Infinity) pending[i] = 1; else required++;
  }
  const inputs = ops.map((o) => o.input);
  // the model sees `undefined` as a pending op's output, whatever the reader left there
  const outputs = ops.map((o, i) => (pending[i] ? undefined : o.output));
  const readOnly = new Uint8Array(n);
  if (model.readOnly) for (let i = 0; i < n; i++) readOnly[i] = model.readOnly(inputs[i], outputs[i]) ? 1 : 0;

  const twinBefore = new Int32Array(n).fill(-1);
  if (required < n) {
    const lastTwin = new Map<string, number>();
    for (const ev of order) {
      const op = ev >> 1;
      if (ev & 1 || !pending[op]) continue;
      const key = JSON.stringify(inputs[op]);
      twinBefore[op] = lastTwin.get(key) ?? -1;
      lastTwin.set(key, op);
    }
  }
  return { n, originalIndex, next, prev, entryOp, match, inputs, outputs, pending, readOnly, twinBefore, required };
}

/**
 * One partition's search, resumable: `run` works for a bounded number of steps and returns
 * undefined if it has not decided yet, so the caller can interleave partitions (porcupine runs
 * them in parallel goroutines and stops at the first illegal one; interleaving gets the same
 * effect on one thread: a partition whose search explodes cannot hide a cheap violation elsewhere).
 */
export class PartitionSearch<S> {
  readonly n: number;
  /** configurations in the memo table */
  get cacheEntries(): number { return this.cache.count; }
  /** bytes held by the memo table, the transition memo and (estimated) the interned states */
  get cacheBytes(): number { return this.cache.bytes + this.transitions.bytes + this.table.states.length * 64; }

  // the entry list: 0 = head sentinel, 1..2n = events in real-time order, 2n+1 = tail sentinel
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly entryOp: Int32Array;
  /** for a call entry, its return entry; -1 for return entries */
  private readonly match: Int32Array;
  private readonly inputs: unknown[];
  private readonly outputs: unknown[];
  private readonly pending: Uint8Array;
  private readonly readOnly: Uint8Array;
  /** for a pending op, the previous pending op with the same input (in call order), else -1 */
  private readonly twinBefore: Int32Array;
  private readonly required: number;
  private readonly z: Int32Array;
  private readonly bits: Uint32Array;
  private readonly cache: ConfigCache;
  private readonly table: StateTable<S>;
  private readonly transitions: TransitionMemo;
  private readonly stackEntry: Int32Array;
  private readonly stackState: Int32Array;
  private readonly forced: Uint8Array;
  /** op number (call order) → index in the caller's array */
  private readonly originalIndex: Int32Array;
  private readonly retired: RetiredStates | undefined;
  // the search's position, kept between runs
  private depth = 0;
  /**
   * The longest partial linearization seen at a dead end (the counterexample's prefix), as op
   * numbers: `bestOps[0..bestLen)`. Its first `agree` positions equal the stack's, so a new
   * record copies only the positions that changed since the last one; each stack push is copied
   * at most once, where copying the whole stack at every record made long histories O(n²).
   */
  private readonly bestOps: Int32Array;
  private bestLen = 0;
  private agree = 0;
  private stateId: number;
  private linHash = 0;
  /** first word of `bits` that is not all ones, and last word that is not zero */
  private lead = 0;
  private hi = -1;
  private placed = 0;
  private entry: number;
  /** this search's preparation of the history (shareable with a rerun over the same ops) */
  readonly prepared: PreparedPartition;
  /**
   * how many times the retired-states pruning ended a branch; 0 means this search took exactly
   * the steps the plain search takes (same candidates, same memo hits, same records)
   */
  prunes = 0;

  /**
   * `prune: false` turns off the retired-states pruning (check.ts reruns without it for the
   * evidence); `prepared` reuses another search's preparation of the same ops and model
   */
  constructor(unsorted: readonly LinOp[], private readonly model: Model<S, any, any>, { prune = true, prepared }: { prune?: boolean; prepared?: PreparedPartition } = {}) {
    const prep = (this.prepared = prepared ?? preparePartition(unsorted, model));
    const n = (this.n = prep.n);
    this.originalIndex = prep.originalIndex;
    this.next = prep.next.slice();
    this.prev = prep.prev.slice();
    this.entryOp = prep.entryOp;
    this.match = prep.match;
    this.pending = prep.pending;
    this.required = prep.required;
    this.inputs = prep.inputs;
    this.outputs = prep.outputs;
    this.readOnly = prep.readOnly;
    this.twinBefore = prep.twinBefore;

    this.z = opHashes(n);
    this.bits = new Uint32Array((n + 31) >>> 5);
    this.cache = new ConfigCache(n < 64 ? 64 : n < 256 ? 256 : 1024);
    this.table = new StateTable<S>(model);
    this.transitions = new TransitionMemo(n);
    this.stackEntry = new Int32Array(n);
    this.stackState = new Int32Array(n);
    this.forced = new Uint8Array(n);
    this.bestOps = new Int32Array(n);
    this.stateId = this.table.idOf(model.init());
    if (prune && model.observes && model.produces) {
      const observed = new Int32Array(n).fill(-1), produced = new Int32Array(n).fill(-1);
      for (let i = 0; i < n; i++) {
        const needs = this.pending[i] ? undefined : model.observes(this.inputs[i], this.outputs[i]);
        if (needs !== undefined) observed[i] = this.table.idOf(needs);
        const makes = model.produces(this.inputs[i]);
        if (makes !== undefined) produced[i] = this.table.idOf(makes);
      }
      this.retired = new RetiredStates(observed, produced, this.table.states.length);
    }
    this.entry = this.next[0]!;
  }

  /** true once run() has returned an outcome */
  decided = false;

  /** the longest partial linearization found so far, as indices into the caller's ops, in order */
  get longest(): number[] {
    return Array.from(this.bestOps.subarray(0, this.bestLen), (op) => this.originalIndex[op]!);
  }

  /** searches for up to `maxIterations` steps; undefined = not decided yet, call again */
  run(maxIterations: number, deadline: number): SearchOutcome | undefined {
    const { next, prev, entryOp, match, inputs, outputs, pending, readOnly, twinBefore, required, z, bits, cache, table, transitions, stackEntry, stackState, forced, model, bestOps, retired } = this;
    const words = bits.length;
    const states = table.states;
    let { depth, stateId, linHash, placed, entry, lead, hi, bestLen, agree } = this;
    let state = states[stateId]!;
    let outcome: SearchOutcome | undefined;

    for (let iterations = 1; ; iterations++) {
      if (placed === required) { outcome = { kind: 'linearizable' }; break; }
      if (iterations % CLOCK_EVERY === 0 && performance.now() > deadline) { outcome = { kind: 'timeout' }; break; }
      if (iterations > maxIterations) break;
      const ret = match[entry]!;
      if (ret >= 0) {
        // a call entry: try to linearize its op next
        const op = entryOp[entry]!;
        const twin = twinBefore[op]!;
        if (twin >= 0 && !(bits[twin >>> 5]! & (1 << (twin & 31)))) { entry = next[entry]!; continue; }
        let nextId = transitions.get(stateId, op);
        if (nextId === UNKNOWN_ID) {
          const nextState = model.step(state, inputs[op], outputs[op]);
          nextId = nextState === ILLEGAL ? ILLEGAL_ID : table.idOf(nextState as S);
          transitions.set(stateId, op, nextId);
        }
        if (retired !== undefined && nextId !== ILLEGAL_ID && nextId !== stateId && retired.strands(stateId, op)) {
          // doomed (see above): a dead end one op deeper
          if (depth + 1 > bestLen) {
            for (let i = agree; i < depth; i++) bestOps[i] = entryOp[stackEntry[i]!]!;
            bestOps[depth] = op;
            bestLen = depth + 1;
            agree = depth;
          }
          nextId = ILLEGAL_ID;
          this.prunes++;
        }
        if (nextId !== ILLEGAL_ID) {
          const w = op >>> 5, bit = 1 << (op & 31);
          bits[w] = bits[w]! | bit;
          let nextLead = lead;
          while (nextLead < words && bits[nextLead] === 0xffffffff) nextLead++;
          const nextHi = w > hi ? w : hi;
          const nextHash = linHash ^ z[op]!;
          if (cache.add((nextHash ^ Math.imul(nextId + 1, 0x9e3779b1)) | 0, bits, nextLead, nextHi, nextId)) {
            lead = nextLead;
            hi = nextHi;
            stackEntry[depth] = entry;
            stackState[depth] = stateId;
            forced[depth] = readOnly[op]!;
            depth++;
            if (!pending[op]) placed++;
            if (retired !== undefined) retired.place(op);
            linHash = nextHash;
            stateId = nextId;
            state = states[nextId]!;
            // lift: unlink the call entry and its return entry
            next[prev[entry]!] = next[entry]!;
            prev[next[entry]!] = prev[entry]!;
            next[prev[ret]!] = next[ret]!;
            prev[next[ret]!] = prev[ret]!;
            entry = next[0]!;
            continue;
          }
          bits[w] = bits[w]! & ~bit;
        }
        entry = next[entry]!;
      } else {
        // a return entry: its op should have been linearized by now; backtrack past every
        // forced choice (see above) to the last choice that had alternatives. A dead end deeper
        // than any before is the new longest linearization: copy the stack where it differs.
        if (depth > bestLen) {
          for (let i = agree; i < depth; i++) bestOps[i] = entryOp[stackEntry[i]!]!;
          bestLen = agree = depth;
        }
        let wasForced = 1;
        while (wasForced && depth > 0) {
          depth--;
          if (agree > depth) agree = depth;
          wasForced = forced[depth]!;
          entry = stackEntry[depth]!;
          const op = entryOp[entry]!;
          const w = op >>> 5;
          bits[w] = bits[w]! & ~(1 << (op & 31));
          if (w < lead) lead = w;
          while (hi >= 0 && bits[hi] === 0) hi--;
          linHash ^= z[op]!;
          if (!pending[op]) placed--;
          if (retired !== undefined) retired.unplace(op);
          // unlift: relink in reverse order of unlinking
          const r = match[entry]!;
          next[prev[r]!] = r;
          prev[next[r]!] = r;
          next[prev[entry]!] = entry;
          prev[next[entry]!] = entry;
        }
        if (wasForced) { outcome = { kind: 'illegal', longest: [] }; break; }
        stateId = stackState[depth]!;
        state = states[stateId]!;
        entry = next[entry]!;
      }
    }
    if (outcome) this.decided = true;
    this.depth = depth; this.stateId = stateId; this.linHash = linHash; this.placed = placed; this.entry = entry;
    this.lead = lead; this.hi = hi; this.bestLen = bestLen; this.agree = agree;
    if (outcome?.kind === 'illegal') outcome.longest = this.longest;
    return outcome;
  }
}
