/**
 * `npm run bench -- check [ops=1000000]`: `check` on a big generated bank history (bench/lib), as
 * a child process under /usr/bin/time: wall time and peak RSS, next to the floor measured in the
 * same run — a node process that only streams the lines into an array of parsed ops.
 * Target (issue #20): 1M ops checked in at most 1 GB.
 */
import { mb, timed, withBigHistory } from './lib/big-history.ts';

export async function main(args: string[]) {
  const ops = Number(args[0] ?? 1_000_000);
  await withBigHistory('check', ops, async (dir, base) => {
    const c = timed(process.execPath, ['--import', 'tsx', 'harness/cli/main.ts', 'check', dir]);
    console.log(`check: ${c.wallS.toFixed(1)} s, peak RSS ${mb(c.maxRssMb)} (exit ${c.exit}); ${(c.maxRssMb / base.maxRssMb).toFixed(2)}× the baseline's RSS, ${(c.wallS / base.wallS).toFixed(2)}× its time; target ≤ 1 GB: ${c.maxRssMb <= 1024 ? 'met' : 'NOT met'}`);
    if (c.exit !== 0 || process.env.BENCH_VERBOSE) console.log(c.stdout.trim().split('\n').slice(-25).join('\n'), c.exit > 2 ? c.stderr.slice(-2000) : '');
  });
}
