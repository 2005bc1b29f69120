/** The I/O shell: reads one run folder into a RunInput. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readHistory } from './history-stream.ts';
import type { ResultsJson, RunInput, TestJson } from './types.ts';

export class NotARunError extends Error {}

/** test.json, results.json and the file links of a run folder; the history's path, not its ops */
export async function readRunInfo(runDir: string): Promise<Omit<RunInput, 'ops' | 'skippedLines' | 'truncatedTail'> & { historyPath: string | null }> {
  const dir = resolve(runDir);
  const test = await readTest(dir, runDir);
  const histPath = join(dir, 'history.jsonl');
  return { test, results: await readResults(dir), files: listLinks(dir), historyPath: existsSync(histPath) ? histPath : null };
}

async function readTest(dir: string, runDir: string): Promise<TestJson> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new NotARunError(`not a run folder: ${runDir} does not exist or is not a directory`);
  }
  const testPath = join(dir, 'test.json');
  if (!existsSync(testPath)) {
    throw new NotARunError(`not a run folder: ${runDir} has no test.json (expected store/<test-name>/<timestamp>/, see harness/store-layout.md)`);
  }
  try { return JSON.parse(await readFile(testPath, 'utf8')) as TestJson; } catch (e) {
    throw new NotARunError(`not a run folder: ${testPath} is not valid JSON (${(e as Error).message})`);
  }
}

async function readResults(dir: string): Promise<ResultsJson | null> {
  const resPath = join(dir, 'results.json');
  if (!existsSync(resPath)) return null;
  try {
    const r = JSON.parse(await readFile(resPath, 'utf8')) as ResultsJson;
    return r && typeof r === 'object' ? { ...r, checkers: Array.isArray(r.checkers) ? r.checkers : [] } : null;
  } catch { return null; /* a half-written results.json counts as "did not finish" */ }
}

export async function readRun(runDir: string): Promise<RunInput> {
  const dir = resolve(runDir);
  const test = await readTest(dir, runDir);
  const histPath = join(dir, 'history.jsonl');
  const hist = existsSync(histPath) ? await readHistory(histPath) : { ops: [], skippedLines: 0, truncatedTail: false };
  return { test, ops: hist.ops, results: await readResults(dir), files: listLinks(dir), skippedLines: hist.skippedLines, truncatedTail: hist.truncatedTail };
}

/** The run's files a person may want to open, as relative links. */
export function listLinks(dir: string): string[] {
  const out: string[] = [];
  for (const f of ['history.jsonl', 'results.json', 'test.json', 'harness.log']) if (existsSync(join(dir, f))) out.push(f);
  const nodes = join(dir, 'nodes');
  if (existsSync(nodes)) {
    for (const f of readdirSync(nodes).sort()) if (f.endsWith('.log')) out.push(`nodes/${f}`);
  }
  return out;
}
