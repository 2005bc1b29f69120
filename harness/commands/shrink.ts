/**
 * `shrink <run dir>`: for a simulated run whose verdict was unexpected, searches (harness/sim/
 * shrink.ts) for a smaller run that still fails the same checker, then writes that run as a
 * normal run folder (history, results, report) and prints its repeat command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../cli/usage-error.ts';
import { commandLine, reproduceCommand, type RunConfig } from '../config/run-config.ts';
import { locateHistory } from '../runs/run-dir.ts';
import { showPath } from '../terminal/show-path.ts';
import { prepareSim, runChecked } from '../sim/seed-run.ts';
import { shrink, type Candidate } from '../sim/shrink.ts';
import { cutFlags } from '../sim/cuts.ts';
import type { SimCuts } from '../sim/run-sim.ts';
import { runCommand } from './run.ts';

export async function shrinkCommand(positionals: string[], flags: Record<string, string | true>, out: NodeJS.WriteStream): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('shrink takes one argument: the folder of a simulated run with an unexpected verdict (e.g. store/latest)');
  const { dir } = locateHistory(positionals[0]!);
  let test: { runtime?: string; config?: RunConfig; simulation?: { cuts?: { only?: number[]; maxWindowMs?: number; maxOps?: number } } };
  let results: { checkers?: { name: string; matched: boolean; valid: unknown }[] };
  try {
    test = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8'));
    results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  } catch (e) {
    throw new UsageError(`shrink ${positionals[0]}: needs the run's test.json and results.json (${(e as Error).message.split('\n')[0]})`);
  }
  if (test.runtime !== 'sim' || !test.config) throw new UsageError(`shrink ${positionals[0]}: not a simulated run (runtime ${test.runtime ?? 'unknown'}); only --runtime sim runs replay exactly`);
  const target = (results.checkers ?? []).filter((c) => !c.matched && c.valid !== 'unknown').map((c) => c.name);
  if (target.length === 0) throw new UsageError(`shrink ${positionals[0]}: every checker matched its expectation; there is no failure to shrink`);
  const checker = target[0]!;
  const tries = flags.tries === undefined ? 200 : Number(flags.tries);
  if (!Number.isInteger(tries) || tries < 1) throw new UsageError(`--tries: expected an integer ≥ 1, got ${JSON.stringify(flags.tries)}`);

  // the run's config (test.json) and the cuts it already had (a shrunk run shrinks further)
  const pairs = reproduceCommand(test.config, 'sim');
  const runFlags: Record<string, string | true> = {};
  for (let i = 0; i < pairs.length; i += 2) runFlags[pairs[i]!.slice(2)] = pairs[i + 1]!;
  const base = await prepareSim(runFlags);
  const had = test.simulation?.cuts;
  const cuts: SimCuts = had ? { ...(had.only ? { only: new Set(had.only) } : {}), ...(had.maxWindowMs !== undefined ? { maxWindowMs: had.maxWindowMs } : {}), ...(had.maxOps !== undefined ? { maxOps: had.maxOps } : {}) } : {};
  const start: Candidate = { config: { ...base.config, ...test.config, runtime: 'sim' }, cuts };

  const attempt = async (c: Candidate) => {
    const { verdict, outcomes, run } = await runChecked(base, c.config, c.cuts);
    const o = outcomes.find((x) => x.name === checker);
    return { fails: !!o && !o.matched && o.valid !== 'unknown', verdict, faultStarts: run.faultStarts };
  };
  out.write(`shrinking: ${checker} failed in ${showPath(dir)}; replaying it\n`);
  const first = await attempt(start);
  if (!first.fails) throw new UsageError(`shrink: replaying ${showPath(dir)} did not fail ${checker} again (was it made with another version of the code?)`);
  out.write(`  start: ${first.verdict.clientOps} client ops, ${first.verdict.faults} faults, ${start.config.nodes} nodes, ${start.config.timeLimitS} s\n`);
  const t0 = performance.now();
  const r = await shrink(start, first, attempt, tries, (l) => out.write(l + '\n'));
  const v = r.bestVerdict;
  out.write(`smallest found after ${r.tries} tries in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${v.clientOps} client ops (from ${first.verdict.clientOps}), ${v.faults} faults (from ${first.verdict.faults}), ${r.best.config.nodes} nodes, ${r.best.config.timeLimitS} s; it still fails ${checker}\n\n`);

  // write it as a run folder, through the run command itself (same files, report and repeat line)
  const store = typeof flags.store === 'string' ? flags.store : r.best.config.store;
  const repeat = [...reproduceCommand({ ...r.best.config, store }, 'sim'), ...cutFlags(r.best.cuts)];
  const again: Record<string, string | true> = {};
  for (let i = 0; i < repeat.length; i += 2) again[repeat[i]!.slice(2)] = repeat[i + 1]!;
  const code = await runCommand(again, { out, argv: ['shrink', ...positionals] });
  out.write(`\nshrunk run, repeat with: ${commandLine(repeat)}\n`);
  return code;
}
