import type { CheckResult, Validity } from '../../api/checker.ts';
import { buildEvidence, type PartitionEvidence } from './evidence.ts';
import type { LinOp, Model } from './model.ts';
import { PartitionSearch } from './search.ts';

export interface LinOptions {
  /** time budget for the whole check; past it the verdict is "unknown" (default 60 s) */
  timeoutMs?: number;
  /** memo-table cap, in configurations summed over the partitions being searched; past it that partition is "unknown" */
  maxCacheEntries?: number;
  /** the same cap in bytes */
  maxCacheBytes?: number;
  /** checkLinearizabilityAsync: give the event loop a turn at least this often (default 50 ms) */
  yieldEveryMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CACHE_ENTRIES = 4_000_000;
export const DEFAULT_MAX_CACHE_BYTES = 1024 * 1024 * 1024;

export interface LinResult extends CheckResult {
  valid: Validity;
  summary: string;
  model: string;
  opCount: number;
  partitionCount: number;
  /** partitions fully decided (linearizable or not) before the check ended */
  partitionsChecked: number;
  /** memo-table configurations, summed over partitions: a measure of the search's work */
  cacheEntries: number;
  /** pending ops the model's simplify step showed cannot matter (e.g. unobserved pending writes) */
  pendingOpsDropped?: number;
  /** pending ops the simplify step gave a return time (the only producer of a value someone read) */
  pendingOpsCompleted?: number;
  /** invalid: the first illegal partition's counterexample (checking stops there) */
  partitions?: PartitionEvidence[];
  /**
   * partitioned models: which keys were decided (linearizable, or the illegal one) and which were
   * not (budget ran out, memo cap, or the check stopped at a violation first)
   */
  keys?: { decided: Key[]; undecided: Key[] };
  /** unknown: why */
  reason?: string;
  /** lines the reader could not interpret (up to 100), when that made the verdict unknown */
  problems?: string[];
}

type Key = string | number | null;

function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  const sa = String(a), sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function partition(ops: readonly LinOp[], model: Model<any, any, any>): [Key, LinOp[]][] {
  const keyOf = model.partitionKey;
  if (!keyOf) return [[null, ops.slice()]];
  const groups = new Map<Key, LinOp[]>();
  for (const op of ops) {
    const k = keyOf(op.input);
    const g = groups.get(k);
    if (g) g.push(op); else groups.set(k, [op]);
  }
  // smallest keys first: a cheap violation is found before a big key can use up the budget
  return [...groups].sort(([a, ga], [b, gb]) => ga.length - gb.length || compareKeys(a, b));
}

/** partitions searched at once, and search steps per turn */
const WINDOW = 8;
const SLICE = 20_000;
/** the most of the time budget one key may use when there are several */
const KEY_SHARE = 0.5;

/**
 * The retired-states pruning ends a doomed branch early, so its longest linearization can stop
 * short of the op that cannot be placed. For the same counterexample as porcupine's plain search,
 * search again without it, within what is left of the budget (at most EVIDENCE_MS); if that does
 * not finish, keep the pruned search's (also a legal prefix, just a less telling one). When the
 * pruning never fired, the pruned search took exactly the plain search's steps, so its longest
 * linearization already is the plain one and there is nothing to rerun (most small histories);
 * a rerun shares the first search's preparation of the ops.
 */
function exactLongest(search: PartitionSearch<unknown>, group: LinOp[], model: Model<any, any, any>, longest: number[], deadline: number): number[] {
  if (!model.observes || !model.produces || search.prunes === 0) return longest;
  const plain = new PartitionSearch(group, model, { prune: false, prepared: search.prepared });
  const outcome = plain.run(Infinity, Math.min(deadline, performance.now() + EVIDENCE_MS));
  return outcome?.kind === 'illegal' ? outcome.longest : longest;
}

const EVIDENCE_MS = 10_000;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Is this history linearizable with respect to the model? Checks each partition (key) on its own
 * (P-compositionality), smallest first, up to WINDOW of them interleaved, and stops at the first
 * one found not to be; its counterexample is the evidence. Never throws on a bad history: ops the
 * model cannot interpret make the verdict "unknown" with the reason, as do the time budget and the
 * memory cap. A key that exhausts its share of the budget is given up on (listed in `keys.undecided`)
 * and the others are still searched, so one exploding key cannot hide a violation in another.
 */
export function checkLinearizability(ops: readonly LinOp[], model: Model<any, any, any>, options: LinOptions = {}): LinResult {
  const steps = checking(ops, model, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same check, giving the event loop a turn every ~YIELD_MS so that a long search (up to the
 * time budget) does not freeze progress output, signal handlers or timers around it.
 */
export async function checkLinearizabilityAsync(ops: readonly LinOp[], model: Model<any, any, any>, options: LinOptions = {}): Promise<LinResult> {
  const steps = checking(ops, model, options);
  let lastYield = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - lastYield >= (options.yieldEveryMs ?? YIELD_MS)) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
}

const YIELD_MS = 50;

/** the check as a generator that pauses after each round of search slices */
function* checking(ops: readonly LinOp[], model: Model<any, any, any>, options: LinOptions): Generator<void, LinResult, void> {
  const start = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = start + timeoutMs;
  const maxCacheEntries = options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES;
  const maxCacheBytes = options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES;
  const base = { model: model.name, opCount: ops.length, cacheEntries: 0, partitionsChecked: 0 };

  if (model.validate) {
    const bad: string[] = [];
    ops.forEach((op, i) => {
      const why = model.validate!(op.input, op.ret === Infinity ? undefined : op.output);
      if (why !== undefined) bad.push(`op ${op.historyIndex ?? i} (process ${op.process}): ${why}`);
    });
    if (bad.length > 0) {
      const reason = `${plural(bad.length, 'op')} the ${model.name} model cannot interpret, e.g. ${bad.slice(0, 3).join('; ')}`;
      return { ...base, valid: 'unknown', partitionCount: 0, summary: `not checked: ${reason}`, reason };
    }
  }

  const groups = partition(ops, model);
  let cacheEntries = 0;
  let checked = 0;
  const undecided: string[] = [];
  const where = (key: Key, group: LinOp[]) =>
    key === null ? `the history (${plural(group.length, 'op')})` : `key ${JSON.stringify(key)} (${plural(group.length, 'op')})`;

  // partitions are searched interleaved, a few at a time, in slices of SLICE steps: the first
  // illegal one found ends the check, however long the others would take
  interface Live { key: Key; group: LinOp[]; search: PartitionSearch<unknown>; spentMs: number }
  let live: Live[] = [];
  let simplifiedAway = 0;
  let pendingCompleted = 0;
  let nextGroup = 0;
  // each key's own time budget: with several keys, none may take more than half the whole
  // budget, so the keys after an exploding one are still searched
  const keyBudgetMs = groups.length > 1 ? timeoutMs * KEY_SHARE : timeoutMs;
  const decidedKeys: Key[] = [];
  const undecidedKeys: Key[] = [];
  const keys = () => (model.partitionKey ? { keys: { decided: decidedKeys.slice(), undecided: [...undecidedKeys, ...live.map((p) => p.key), ...groups.slice(nextGroup).map(([k]) => k)] } } : {});
  const result = (valid: Validity, partitionsChecked: number) => ({
    ...base, pendingOpsDropped: simplifiedAway, pendingOpsCompleted: pendingCompleted, valid, partitionCount: groups.length, partitionsChecked, cacheEntries, ...keys(),
  });
  const unknown = (): LinResult => {
    const reason = `${undecided.join('; ')}; ${checked} of ${plural(groups.length, 'partition')} decided, none illegal`;
    return { ...result('unknown', checked), summary: `unknown: ${reason}`, reason };
  };
  const giveUp = (p: Live, why: string) => {
    cacheEntries += p.search.cacheEntries;
    undecided.push(`${why} checking ${where(p.key, p.group)}`);
    undecidedKeys.push(p.key);
    live = live.filter((q) => q !== p);
  };
  while (live.length > 0 || nextGroup < groups.length) {
    while (live.length < WINDOW && nextGroup < groups.length) {
      const [key, all] = groups[nextGroup++]!;
      const group = model.simplify ? model.simplify(all) : all;
      simplifiedAway += all.length - group.length;
      for (const o of group) if (o.inferredReturn) pendingCompleted++;
      live.push({ key, group, search: new PartitionSearch(group, model), spentMs: 0 });
    }
    for (const p of live.slice()) {
      const t = performance.now();
      const outcome = p.search.run(SLICE, Math.min(deadline, t + keyBudgetMs - p.spentMs));
      p.spentMs += performance.now() - t;
      if (outcome === undefined) continue;
      if (outcome.kind === 'linearizable') {
        cacheEntries += p.search.cacheEntries;
        checked++;
        decidedKeys.push(p.key);
        live = live.filter((q) => q !== p);
        continue;
      }
      if (outcome.kind === 'illegal') {
        const evidence = buildEvidence(p.key, p.group, model, exactLongest(p.search, p.group, model, outcome.longest, deadline));
        for (const q of live) cacheEntries += q.search.cacheEntries;
        decidedKeys.push(p.key);
        live = live.filter((q) => q !== p);
        return {
          ...result(false, checked + 1),
          summary: `not linearizable: ${where(p.key, p.group)}: after ${plural(outcome.longest.length, 'op')} no op fits state ${evidence.stateBefore}`,
          partitions: [evidence],
        };
      }
      if (performance.now() < deadline) {
        giveUp(p, `its share of the time budget (${keyBudgetMs / 1000} s) ran out`);
        continue;
      }
      undecided.push(`time budget of ${timeoutMs / 1000} s ran out while checking ${live.map((q) => where(q.key, q.group)).join(', ')}`);
      for (const q of live) cacheEntries += q.search.cacheEntries;
      return unknown();
    }
    yield;
    // memory cap over every live memo table: give up on the biggest, keep looking at the others
    let entries = 0, bytes = 0;
    for (const p of live) { entries += p.search.cacheEntries; bytes += p.search.cacheBytes; }
    if (entries > maxCacheEntries || bytes > maxCacheBytes) {
      const biggest = live.reduce((a, b) => (b.search.cacheEntries > a.search.cacheEntries ? b : a));
      giveUp(biggest, `memo table cap reached (${biggest.search.cacheEntries.toLocaleString('en')} configurations, limit ${maxCacheEntries.toLocaleString('en')} entries / ${Math.round(maxCacheBytes / 2 ** 20)} MiB)`);
    }
  }
  if (undecided.length > 0) return unknown();
  return {
    ...result(true, checked),
    summary: `linearizable: ${plural(ops.length, 'op')}${model.partitionKey ? ` in ${plural(groups.length, 'key')}` : ''}`,
  };
}
