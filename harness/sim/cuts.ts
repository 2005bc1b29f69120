/**
 * The shrinker's cuts as run flags, so a shrunk run repeats with one command:
 * --sim-faults 0,2 (keep these fault starts, by schedule order; "none"), --sim-fault-window MS,
 * --sim-max-ops N. They apply to --runtime sim only.
 */
import { UsageError } from '../cli/usage-error.ts';
import type { SimCuts } from './run-sim.ts';

export function cutsFromFlags(flags: Record<string, string | true>): SimCuts {
  const cuts: SimCuts = {};
  const f = flags['sim-faults'];
  if (typeof f === 'string') {
    const items = f.trim() === 'none' ? [] : f.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.some((s) => !/^\d+$/.test(s))) throw new UsageError(`--sim-faults: expected fault start numbers like 0,2,5 or none, got ${JSON.stringify(f)}`);
    cuts.only = new Set(items.map(Number));
  }
  const int = (name: string): number | undefined => {
    const v = flags[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected an integer ≥ 0, got ${JSON.stringify(v)}`);
    return n;
  };
  const w = int('sim-fault-window');
  if (w !== undefined) cuts.maxWindowMs = w;
  const m = int('sim-max-ops');
  if (m !== undefined) cuts.maxOps = m;
  return cuts;
}

export function cutFlags(cuts: SimCuts): string[] {
  const out: string[] = [];
  if (cuts.only) out.push('--sim-faults', cuts.only.size ? [...cuts.only].sort((a, b) => a - b).join(',') : 'none');
  if (cuts.maxWindowMs !== undefined) out.push('--sim-fault-window', String(cuts.maxWindowMs));
  if (cuts.maxOps !== undefined) out.push('--sim-max-ops', String(cuts.maxOps));
  return out;
}
