/**
 * The run report (issue 8): one self-contained report.html per run folder.
 * writeReport(runDir) reads the run (I/O), buildReportData aggregates (pure), renderReport draws
 * the page (pure).
 */
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReportData } from './model.ts';
import { readRun, readRunInfo } from './read-run.ts';
import { renderReport } from './render.ts';
import { buildReportDataStreaming, SAMPLE_ABOVE } from './stream-model.ts';
import { countLines } from '../history/reader.ts';
import type { ReportData } from './model.ts';

export { buildReportData, type ReportData } from './model.ts';
export { renderReport } from './render.ts';
export { readRun, NotARunError } from './read-run.ts';
export { runVerdict, type RunVerdict } from './verdict.ts';
export type { RunInput, TestJson, ResultsJson } from './types.ts';

/** Regenerates <runDir>/report.html from the stored run; returns its path. */
export async function writeReport(runDir: string, opts: { sampleAbove?: number } = {}): Promise<string> {
  const html = renderReport(await reportData(runDir, opts));
  const out = join(runDir, 'report.html');
  // write then rename, so a browser (or serve) never sees half a report
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, html);
  await rename(tmp, out);
  return out;
}

/**
 * The page's data. A history of more than `sampleAbove` client ops (judged from its lines, two per
 * op) is streamed once without keeping its ops (stream-model.ts): exact aggregates, sampled per-op
 * detail, and the page says so. Smaller ones are read whole.
 */
export async function reportData(runDir: string, opts: { sampleAbove?: number } = {}): Promise<ReportData> {
  const sampleAbove = opts.sampleAbove ?? SAMPLE_ABOVE;
  const info = await readRunInfo(runDir);
  if (info.historyPath && (await countLines(info.historyPath)) > 2 * sampleAbove) return buildReportDataStreaming(info);
  return buildReportData(await readRun(runDir));
}
