/** The I/O shell: reads one run folder into a RunInput. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readHistory } from './history-stream.ts';
import type { ResultsJson, RunInput, TestJson } from './types.ts';

export class NotARunError extends Error {}

export async function readRun(runDir: string): Promise<RunInput> {
  const dir = resolve(runDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new NotARunError(`not a run folder: ${runDir} does not exist or is not a directory`);
  }
  const testPath = join(dir, 'test.json');
  if (!existsSync(testPath)) {
    throw new NotARunError(`not a run folder: ${runDir} has no test.json (expected store/<test-name>/<timestamp>/, see harness/store-layout.md)`);
  }
  let test: TestJson;
  try { test = JSON.parse(await readFile(testPath, 'utf8')) as TestJson; } catch (e) {
    throw new NotARunError(`not a run folder: ${testPath} is not valid JSON (${(e as Error).message})`);
  }
  const histPath = join(dir, 'history.jsonl');
  const hist = existsSync(histPath) ? await readHistory(histPath) : { ops: [], skippedLines: 0, truncatedTail: false };

  let results: ResultsJson | null = null;
  const resPath = join(dir, 'results.json');
  if (existsSync(resPath)) {
    try {
      const r = JSON.parse(await readFile(resPath, 'utf8')) as ResultsJson;
      if (r && typeof r === 'object') results = { ...r, checkers: Array.isArray(r.checkers) ? r.checkers : [] };
    } catch { results = null; /* a half-written results.json counts as "did not finish" */ }
  }
  return { test, ops: hist.ops, results, files: listLinks(dir), skippedLines: hist.skippedLines, truncatedTail: hist.truncatedTail };
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
