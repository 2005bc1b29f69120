import type { CheckResult } from '../api/checker.ts';
import type { SyncChecker } from './sync-checker.ts';
import { balanceViews, bankParams, parseTransfer, type Transfer } from './bank-ops.ts';
import { lastFinalRounds } from './final-reads.ts';

/** Up to this many indeterminate transfers every subset is tried; beyond, per-account bounds. */
export const MAX_EXACT_INDETERMINATE = 16;
/** Beyond that, a pruned depth-first search visits at most this many subsets. */
export const SEARCH_BUDGET = 200_000;

export interface FoldMismatch {
  nodes: string[];
  /** per account: final balance, the fold of the ok transfers, and (bounds mode) the reachable range */
  accounts: { account: string; final: number | null; foldOfOk: number; min?: number; max?: number }[];
}

/**
 * Final balances equal the fold of the transfers: initialBalance per account plus every ok
 * transfer, plus some subset of the indeterminate (info/pending) ones, which may or may not have
 * happened. With at most MAX_EXACT_INDETERMINATE of them every subset is tried and the smallest
 * one that explains the final state is reported (`explainedBy`, invoke indexes); with more, each
 * account's final balance must first lie within [fold + all withdrawals, fold + all deposits] of
 * the indeterminate transfers, then a depth-first search pruned by those bounds looks for a subset
 * (SEARCH_BUDGET steps). When the budget runs out the bounds alone decide (`exact: false`,
 * `method` per final state: enumerated, searched, out-of-bounds (a definite violation) or bounds).
 * Each distinct final state (grouped by node) is checked. Needs workload {accounts, initialBalance}.
 */
export const bankFoldChecker: SyncChecker = (history, ctx): CheckResult => {
  const { accounts: declared, initialBalance } = bankParams(ctx.workload);
  if (initialBalance === undefined) return { valid: 'unknown', summary: 'workload gives no initialBalance' };
  const all = balanceViewsFinal(history);
  if (all.states.size === 0) return { valid: 'unknown', summary: 'no ok final read of the balances' };

  const accountSet = new Set(declared);
  for (const s of all.states.values()) for (const a of s.balances.keys()) accountSet.add(a);
  const transfers: Transfer[] = [];
  for (const p of all.pairs) { const t = parseTransfer(p); if (t) { transfers.push(t); accountSet.add(t.from); accountSet.add(t.to); } }
  const accounts = [...accountSet].sort();
  const slot = new Map(accounts.map((a, i) => [a, i]));

  const fold = accounts.map(() => initialBalance);
  const maybe: Transfer[] = [];
  let ok = 0;
  for (const t of transfers) {
    if (t.pair.type === 'ok') { fold[slot.get(t.from)!]! -= t.amount; fold[slot.get(t.to)!]! += t.amount; ok++; }
    else if (t.pair.type !== 'fail') maybe.push(t);
  }
  const enumerate = maybe.length <= MAX_EXACT_INDETERMINATE;
  const mismatches: FoldMismatch[] = [];
  const explainedBy: Record<string, number[]> = {};
  const method: Record<string, 'enumerated' | 'searched' | 'out-of-bounds' | 'bounds'> = {};

  for (const s of all.states.values()) {
    const final = accounts.map((a) => s.balances.get(a) ?? null);
    const label = s.nodes.join(',');
    if (final.some((b) => b === null)) {
      mismatches.push({ nodes: s.nodes, accounts: accounts.map((a, i) => ({ account: a, final: final[i]!, foldOfOk: fold[i]! })).filter((x) => x.final === null) });
      continue;
    }
    const delta = final.map((b, i) => b! - fold[i]!);
    if (enumerate) {
      method[label] = 'enumerated';
      const subset = smallestSubset(delta, maybe.map((t) => [slot.get(t.from)!, slot.get(t.to)!, t.amount]));
      if (subset) { explainedBy[label] = subset.map((i) => maybe[i]!.pair.invoke.index); continue; }
      mismatches.push({ nodes: s.nodes, accounts: accounts.map((a, i) => ({ account: a, final: final[i]!, foldOfOk: fold[i]! })).filter((x) => x.final !== x.foldOfOk) });
    } else {
      const lo = accounts.map(() => 0), hi = accounts.map(() => 0);
      for (const t of maybe) {
        const sign = t.amount >= 0 ? 1 : -1;
        (sign > 0 ? lo : hi)[slot.get(t.from)!]! -= t.amount;
        (sign > 0 ? hi : lo)[slot.get(t.to)!]! += t.amount;
      }
      const bad = accounts.map((a, i) => ({ account: a, final: final[i]!, foldOfOk: fold[i]!, min: fold[i]! + lo[i]!, max: fold[i]! + hi[i]! }))
        .filter((x) => x.final! < x.min || x.final! > x.max);
      if (bad.length) { method[label] = 'out-of-bounds'; mismatches.push({ nodes: s.nodes, accounts: bad }); continue; }
      const found = searchSubset(delta, maybe.map((t) => [slot.get(t.from)!, slot.get(t.to)!, t.amount]), SEARCH_BUDGET);
      if (Array.isArray(found)) { explainedBy[label] = found.map((i) => maybe[i]!.pair.invoke.index); method[label] = 'searched'; }
      else if (found === 'none') {
        method[label] = 'searched';
        mismatches.push({ nodes: s.nodes, accounts: accounts.map((a, i) => ({ account: a, final: final[i]!, foldOfOk: fold[i]! })).filter((x) => x.final !== x.foldOfOk) });
      } else method[label] = 'bounds';
    }
  }

  const details = { okTransfers: ok, indeterminateTransfers: maybe.length, exact: Object.values(method).every((m) => m !== 'bounds'), method, finalStates: all.states.size, explainedBy, mismatches: mismatches.slice(0, 20), mismatchCount: mismatches.length };
  if (mismatches.length) {
    const m = mismatches[0]!;
    const a = m.accounts[0];
    const what = a ? `account ${a.account} is ${a.final ?? 'missing'}, fold of ok transfers ${a.foldOfOk}` : 'no subset matches';
    return { valid: false, summary: `final balances on ${m.nodes.join(', ')} are not the fold of the transfers (${maybe.length} indeterminate considered): ${what}`, ...details };
  }
  const how = details.exact ? 'exactly' : 'within per-account bounds (subset search ran out of budget)';
  return { valid: true, summary: `final balances match the fold of ${ok} ok transfers ${how} (${maybe.length} indeterminate)`, ...details };
};

/** Distinct final states (last ok final read per node), grouped by equal balances. */
function balanceViewsFinal(history: Parameters<SyncChecker>[0]) {
  const { pairs, views } = balanceViews(history);
  const lastIndex = new Set([...lastFinalRounds(pairs).values()].map((r) => r.index));
  const states = new Map<string, { nodes: string[]; balances: Map<string, number> }>();
  for (const v of views) {
    if (v.where !== 'final' || !lastIndex.has(v.index)) continue;
    const key = JSON.stringify([...v.balances].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    const s = states.get(key) ?? { nodes: [], balances: v.balances };
    s.nodes.push(v.node ?? '?');
    states.set(key, s);
  }
  for (const s of states.values()) s.nodes.sort();
  return { pairs, states };
}

/**
 * The smallest set of transfers (by count) whose combined effect is `delta`, as indexes into
 * `effects` ([fromSlot, toSlot, amount]), or undefined. Walks all 2^k subsets in Gray-code order,
 * changing one transfer per step.
 */
function smallestSubset(delta: number[], effects: [number, number, number][]): number[] | undefined {
  const k = effects.length;
  const cur = delta.map(() => 0);
  let mismatched = delta.filter((d) => d !== 0).length;
  const adjust = (i: number, by: number) => {
    const before = cur[i] === delta[i];
    cur[i]! += by;
    const after = cur[i] === delta[i];
    if (before && !after) mismatched++; else if (!before && after) mismatched--;
  };
  let best: number | undefined;
  let bestBits = Infinity;
  if (mismatched === 0) return [];
  let mask = 0;
  for (let step = 1; step < 2 ** k; step++) {
    const bit = 31 - Math.clz32(step & -step);
    const on = ((mask >> bit) & 1) === 0;
    mask ^= 1 << bit;
    const [from, to, amount] = effects[bit]!;
    const sign = on ? 1 : -1;
    adjust(from, -sign * amount);
    adjust(to, sign * amount);
    if (mismatched === 0) {
      const bits = popcount(mask);
      if (bits < bestBits) { best = mask; bestBits = bits; }
    }
  }
  if (best === undefined) return undefined;
  const out: number[] = [];
  for (let i = 0; i < k; i++) if ((best >> i) & 1) out.push(i);
  return out;
}

const popcount = (x: number): number => { let c = 0; while (x) { x &= x - 1; c++; } return c; };

/**
 * Some subset of `effects` whose combined effect is `delta`. Identical transfers are grouped (only
 * how many of them happened matters); for each group in turn a count is chosen, pruning when an
 * account can no longer reach its target with the groups left. Returns the subset, 'none' when
 * the search was complete, or 'budget' when it gave up.
 */
function searchSubset(delta: number[], effects: [number, number, number][], budget: number): number[] | 'none' | 'budget' {
  const groups = new Map<string, { from: number; to: number; amount: number; members: number[] }>();
  effects.forEach(([from, to, amount], i) => {
    const key = `${from},${to},${amount}`;
    const g = groups.get(key) ?? { from, to, amount, members: [] };
    g.members.push(i);
    groups.set(key, g);
  });
  const gs = [...groups.values()];
  const k = gs.length, m = delta.length;
  // suffix bounds: what groups i.. can still add to each account, at least and at most
  const lo = Array.from({ length: k + 1 }, () => new Array<number>(m).fill(0));
  const hi = Array.from({ length: k + 1 }, () => new Array<number>(m).fill(0));
  for (let i = k - 1; i >= 0; i--) {
    const g = gs[i]!, n = g.members.length;
    for (let a = 0; a < m; a++) { lo[i]![a] = lo[i + 1]![a]!; hi[i]![a] = hi[i + 1]![a]!; }
    for (const [acct, d] of [[g.from, -g.amount * n], [g.to, g.amount * n]] as const) {
      if (d < 0) lo[i]![acct]! += d; else hi[i]![acct]! += d;
    }
  }
  const cur = new Array<number>(m).fill(0);
  const counts = new Array<number>(k).fill(0);
  let steps = 0;
  const feasible = (i: number) => {
    for (let a = 0; a < m; a++) {
      const need = delta[a]! - cur[a]!;
      if (need < lo[i]![a]! || need > hi[i]![a]!) return false;
    }
    return true;
  };
  const dfs = (i: number): boolean | 'budget' => {
    if (++steps > budget) return 'budget';
    if (!feasible(i)) return false;
    if (i === k) return true;
    const g = gs[i]!;
    for (let c = 0; c <= g.members.length; c++) {
      if (c > 0) { cur[g.from]! -= g.amount; cur[g.to]! += g.amount; }
      counts[i] = c;
      const r = dfs(i + 1);
      if (r !== false) return r;
    }
    cur[g.from]! += g.amount * g.members.length; cur[g.to]! -= g.amount * g.members.length;
    counts[i] = 0;
    return false;
  };
  const r = dfs(0);
  if (r === 'budget') return 'budget';
  if (r === false) return 'none';
  return gs.flatMap((g, i) => g.members.slice(0, counts[i])).sort((a, b) => a - b);
}
