/**
 * `sweep --runtime sim --seeds N [run flags]`: the run N times on the simulator, seeds S … S+N-1
 * (S = --seed, default 1), on every core. Stops at the first unexpected verdict unless
 * --keep-going. Prints seeds/s; writes store/sweep/<time>/summary.json and failing.txt (one line
 * per failing seed with the command that repeats it). Exits like a run: 1 when a seed ended
 * unexpectedly, else 2 when one could not be decided, else 0.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../cli/usage-error.ts';
import { commandLine, reproduceCommand } from '../config/run-config.ts';
import { runTimestamp } from '../runs/run-dir.ts';
import { showPath } from '../terminal/show-path.ts';
import { prepareSim } from '../sim/seed-run.ts';
import { sweepSeeds } from '../sim/pool.ts';

function count(flags: Record<string, string | true>, name: string, dflt: number, max: number): number {
  const raw = flags[name];
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name}: expected an integer from 1 to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export async function sweepCommand(positionals: string[], flags: Record<string, string | true>, out: NodeJS.WriteStream): Promise<number> {
  if (positionals.length) throw new UsageError(`sweep takes no arguments, got "${positionals[0]}"`);
  if (flags.runtime !== undefined && flags.runtime !== 'sim') throw new UsageError(`sweep runs on the simulator only: --runtime sim (got --runtime ${flags.runtime})`);
  const seeds = count(flags, 'seeds', 100, 10_000_000);
  const workers = count(flags, 'workers', availableParallelism(), 256);
  const keepGoing = flags['keep-going'] === true;
  const runFlags = { ...flags };
  for (const k of ['seeds', 'workers', 'keep-going']) delete runFlags[k];
  const first = flags.seed === undefined ? 1 : Number(flags.seed);
  const base = await prepareSim({ ...runFlags, seed: String(first) });
  const list = Array.from({ length: seeds }, (_, i) => (first + i) >>> 0);

  out.write(`sweep: ${seeds} seeds from ${first} on ${workers} worker thread(s), ${base.config.workload} with nemesis ${base.config.nemesis.join(',') || 'none'}, ${base.config.timeLimitS} s each${keepGoing ? '' : '; stops at the first unexpected verdict'}\n`);
  const t0 = performance.now();
  let lastPrint = 0;
  const { verdicts, stoppedEarly } = await sweepSeeds({
    flags: { ...runFlags, seed: String(first) }, seeds: list, workers, keepGoing,
    onVerdict: (v, done) => {
      const now = performance.now();
      if (v.exitCode !== 0) out.write(`  seed ${v.seed}: ${v.exitCode === 1 ? `UNEXPECTED ${v.unexpected.join(', ')}` : `unknown ${v.unknown.join(', ')}`}\n`);
      if (now - lastPrint > 5000) { lastPrint = now; out.write(`  ${done}/${seeds} seeds, ${(done / ((now - t0) / 1000)).toFixed(1)} seeds/s\n`); }
    },
  });
  const wallS = (performance.now() - t0) / 1000;
  const failing = verdicts.filter((v) => v.exitCode === 1);
  const unknown = verdicts.filter((v) => v.exitCode === 2);
  const repeat = (seed: number) => commandLine(reproduceCommand({ ...base.config, seed }, 'sim'));
  const exitCode = failing.length ? 1 : unknown.length ? 2 : 0;
  const simS = verdicts.reduce((a, v) => a + v.simMs, 0) / 1000;

  const dir = join(base.config.store, 'sweep', runTimestamp(new Date()));
  mkdirSync(dir, { recursive: true });
  const summary = {
    seeds: { first, asked: seeds, run: verdicts.length, stoppedEarly },
    config: { ...base.config, seed: undefined }, workers, wallS: Math.round(wallS * 1000) / 1000,
    seedsPerS: Math.round((verdicts.length / wallS) * 10) / 10, simulatedS: Math.round(simS), exitCode,
    failing: failing.map((v) => ({ ...v, repeat: repeat(v.seed) })),
    unknown: unknown.map((v) => ({ ...v, repeat: repeat(v.seed) })),
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(dir, 'failing.txt'), [...failing, ...unknown].map((v) => `seed ${v.seed}: ${v.exitCode === 1 ? 'unexpected' : 'unknown'} ${[...v.unexpected, ...v.unknown].join(',')}: ${repeat(v.seed)}\n`).join(''));

  out.write(`\n${verdicts.length} seeds in ${wallS.toFixed(1)} s: ${(verdicts.length / wallS).toFixed(1)} seeds/s (${Math.round(simS / wallS)} simulated s per wall s)${stoppedEarly ? `; stopped early (--keep-going runs them all)` : ''}\n`);
  out.write(`${failing.length} unexpected, ${unknown.length} unknown, ${verdicts.length - failing.length - unknown.length} as expected\n`);
  for (const v of failing.slice(0, 10)) out.write(`  seed ${v.seed} (${v.unexpected.join(', ')}): ${repeat(v.seed)}\n`);
  out.write(`summary: ${showPath(join(dir, 'summary.json'))}\n`);
  return exitCode;
}
