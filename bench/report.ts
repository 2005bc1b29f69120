/**
 * `npm run bench -- report [ops=1000000] [opens=3]`: `report` on a big generated bank history
 * (bench/lib: seed 3, one partition, final reads) as a child process under /usr/bin/time — wall
 * time and peak RSS — next to the floor measured in the same run (a node process that only streams
 * the lines into an array of parsed ops); then report.html's size and how long headless Chromium
 * (Debian chromium via playwright-core) takes to open it until the page script has drawn every
 * chart and the first timeline window (median of `opens`). Target (issue #20): 1M ops reported in
 * at most 500 MB, the page quick to open.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { chromiumMissing, withPage } from '../harness/report/test/browser.ts';
import { mb, timed, withBigHistory } from './lib/big-history.ts';

const median = (a: number[]) => { const s = a.slice().sort((x, y) => x - y); return s[Math.floor(s.length / 2)]!; };

export async function main(args: string[]) {
  const ops = Number(args[0] ?? 1_000_000), opens = Number(args[1] ?? 3);
  await withBigHistory('report', ops, async (dir, base) => {
    const r = timed(process.execPath, ['--import', 'tsx', 'harness/cli/main.ts', 'report', dir]);
    if (r.exit !== 0) throw new Error(`report failed (exit ${r.exit}):\n${r.stdout}${r.stderr.slice(-3000)}`);
    const path = join(dir, 'report.html');
    const size = statSync(path).size;
    console.log(`report: ${r.wallS.toFixed(1)} s, peak RSS ${mb(r.maxRssMb)}; ${(r.maxRssMb / base.maxRssMb).toFixed(2)}× the baseline's RSS, ${(r.wallS / base.wallS).toFixed(2)}× its time; target ≤ 500 MB: ${r.maxRssMb <= 500 ? 'met' : 'NOT met'}; report.html ${(size / 1e6).toFixed(1)} MB`);
    const skip = chromiumMissing();
    if (skip) { console.log(`open: skipped, ${skip}`); return; }
    const times: number[] = [];
    await withPage(async ({ page, errors }) => {
      for (let i = 0; i < opens; i++) {
        const t = performance.now();
        await page.goto(pathToFileURL(path).href);
        await page.waitForFunction(() => window.__report?.ready === true, undefined, { timeout: 120000 });
        times.push(performance.now() - t);
      }
      if (errors.length) console.log('console errors:', errors);
    });
    console.log(`open in chromium (load + parse + draw): median ${median(times).toFixed(0)} ms over ${opens} (${times.map((x) => x.toFixed(0)).join(' · ')})`);
  });
}
