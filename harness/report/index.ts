/**
 * The run report (issue 8): one self-contained report.html per run folder.
 * writeReport(runDir) reads the run (I/O), buildReportData aggregates (pure), renderReport draws
 * the page (pure).
 */
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReportData } from './model.ts';
import { readRun } from './read-run.ts';
import { renderReport } from './render.ts';

export { buildReportData, type ReportData } from './model.ts';
export { renderReport } from './render.ts';
export { readRun, NotARunError } from './read-run.ts';
export { runVerdict, type RunVerdict } from './verdict.ts';
export type { RunInput, TestJson, ResultsJson } from './types.ts';

/** Regenerates <runDir>/report.html from the stored run; returns its path. */
export async function writeReport(runDir: string): Promise<string> {
  const html = renderReport(buildReportData(await readRun(runDir)));
  const out = join(runDir, 'report.html');
  // write then rename, so a browser (or serve) never sees half a report
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, html);
  await rename(tmp, out);
  return out;
}
