/**
 * Shrinking a failing simulated run: a greedy search for a smaller run that still fails the same
 * checker. Each try is an exact replay (same seed, smaller config or more cuts), so "still fails"
 * is a fact, not a flaky hope. Passes, repeated while one of them helps and tries remain:
 * fewer nodes, a shorter time limit, fewer fault starts (halves, then one at a time), shorter
 * fault windows, fewer client ops (bisection on the op budget).
 */
import type { RunConfig } from '../config/run-config.ts';
import type { SimCuts } from './run-sim.ts';
import type { SeedVerdict } from './seed-run.ts';

export interface Candidate { config: RunConfig; cuts: SimCuts }

export interface Tried { fails: boolean; verdict: SeedVerdict; faultStarts: number }

export interface ShrinkResult {
  best: Candidate;
  bestVerdict: SeedVerdict;
  tries: number;
  steps: string[];
}

/** how small a candidate's run was: client ops first, then faults, nodes and simulated time */
function smaller(a: SeedVerdict, b: SeedVerdict): boolean {
  const key = (v: SeedVerdict) => [v.clientOps + v.faults * 50, v.faults, v.simMs];
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return false;
}

/**
 * @param attempt runs a candidate and says whether it still fails the target checker
 * @param start the failing run, already tried (its verdict and fault starts)
 */
export async function shrink(start: Candidate, first: Tried, attempt: (c: Candidate) => Promise<Tried>, maxTries: number, note: (line: string) => void = () => {}): Promise<ShrinkResult> {
  let best = start;
  let bestV = first.verdict;
  let starts = first.faultStarts;
  let tries = 0;
  const steps: string[] = [];

  /** try c; keep it when it still fails and is not bigger */
  const tryIt = async (c: Candidate, what: string): Promise<boolean> => {
    if (tries >= maxTries) return false;
    tries++;
    const t = await attempt(c);
    const ok = t.fails && !smaller(bestV, t.verdict);
    if (ok) {
      best = c; bestV = t.verdict; starts = t.faultStarts;
      steps.push(what);
      note(`  ${what}: still fails (${t.verdict.clientOps} ops, ${t.verdict.faults} faults)`);
    }
    return ok;
  };
  const withConfig = (over: Partial<RunConfig>): Candidate => ({ config: { ...best.config, ...over }, cuts: best.cuts });
  const withCuts = (over: SimCuts): Candidate => ({ config: best.config, cuts: { ...best.cuts, ...over } });

  for (let pass = 0; pass < 4 && tries < maxTries; pass++) {
    const before = tries === 0 ? null : bestV;
    // fewer nodes (and as many workers as a default run of that size)
    for (let n = 1; n < best.config.nodes; n++) {
      if (await tryIt(withConfig({ nodes: n, concurrency: Math.min(best.config.concurrency, 2 * n) }), `${n} nodes`)) break;
    }
    // a shorter time limit
    for (const f of [0.25, 0.5, 0.75]) {
      const t = Math.max(1, Math.round(best.config.timeLimitS * f));
      if (t < best.config.timeLimitS && (await tryIt(withConfig({ timeLimitS: t }), `--time-limit ${t}`))) break;
    }
    // fewer fault starts: none, one half, the other, then each one alone out
    const kept = best.cuts.only ? [...best.cuts.only].sort((a, b) => a - b) : Array.from({ length: starts }, (_, i) => i);
    if (kept.length > 0 && !(await tryIt(withCuts({ only: new Set() }), 'no faults'))) {
      let cur = kept;
      let chunk = Math.ceil(cur.length / 2);
      while (chunk >= 1 && tries < maxTries) {
        let removed = false;
        for (let i = 0; i < cur.length; i += chunk) {
          const rest = cur.filter((_, j) => j < i || j >= i + chunk);
          if (rest.length === cur.length) continue;
          if (await tryIt(withCuts({ only: new Set(rest) }), `faults ${rest.join(',') || 'none'}`)) { cur = rest; removed = true; break; }
        }
        if (!removed) chunk = Math.floor(chunk / 2);
        else chunk = Math.min(chunk, Math.ceil(cur.length / 2));
      }
    }
    // shorter fault windows
    if ((best.cuts.only?.size ?? starts) > 0) {
      for (const w of [500, 1000, 2000, 4000]) {
        if (best.cuts.maxWindowMs !== undefined && w >= best.cuts.maxWindowMs) break;
        if (await tryIt(withCuts({ maxWindowMs: w }), `fault windows ≤ ${w} ms`)) break;
      }
    }
    // fewer client ops: bisect the op budget
    let lo = 0, hi = bestV.clientOps;
    while (hi - lo > Math.max(1, Math.floor(hi / 50)) && tries < maxTries) {
      const mid = Math.floor((lo + hi) / 2);
      if (await tryIt(withCuts({ maxOps: mid }), `≤ ${mid} client ops`)) hi = Math.min(mid, bestV.clientOps); else lo = mid;
    }
    if (before !== null && !smaller(bestV, before)) break;
  }
  return { best, bestVerdict: bestV, tries, steps };
}
