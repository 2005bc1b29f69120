/**
 * `npm run bench -- report [ops=100000] [repeats=5]`: how long a report of a large history takes
 * to generate (writeReport: read + aggregate + render + write) and to open in headless Chromium
 * (navigation until the page script has drawn every chart and the timeline). Medians.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { bankRun } from '../harness/report/test/fixtures.ts';
import { writeReport } from '../harness/report/index.ts';
import { chromiumMissing, withPage } from '../harness/report/test/browser.ts';

const median = (a: number[]) => { const s = a.slice().sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

export async function main(args: string[]) {
  const ops = Number(args[0] ?? 100000), repeats = Number(args[1] ?? 5);
  const root = mkdtempSync(join(tmpdir(), 'bench-report-'));
  try {
    const run = bankRun(join(root, 'run'), { ops, durationS: Math.max(20, ops / 300), seed: 3 });
    const hist = statSync(join(run.dir, 'history.jsonl')).size;
    const gen: number[] = [];
    let path = '';
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      path = await writeReport(run.dir);
      gen.push(performance.now() - t0);
    }
    const size = statSync(path).size;
    console.log(`history: ${run.counts.clientOps} client ops, ${(hist / 1e6).toFixed(1)} MB history.jsonl`);
    console.log(`generate: median ${median(gen).toFixed(0)} ms over ${repeats} (first ${gen[0].toFixed(0)} ms); report.html ${(size / 1e6).toFixed(1)} MB`);
    const skip = chromiumMissing();
    if (skip) { console.log(`open: skipped, ${skip}`); return; }
    const open: number[] = [];
    await withPage(async ({ page, errors }) => {
      for (let i = 0; i < repeats; i++) {
        const t0 = performance.now();
        await page.goto(pathToFileURL(path).href);
        await page.waitForFunction(() => window.__report?.ready === true, undefined, { timeout: 120000 });
        open.push(performance.now() - t0);
      }
      if (errors.length) console.log('console errors:', errors);
    });
    console.log(`open in chromium (load + parse + draw): median ${median(open).toFixed(0)} ms over ${repeats}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
