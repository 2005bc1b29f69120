/**
 * listRuns: every stored run (store/<test-name>/<timestamp>/), newest first, summarised from its
 * test.json and results.json. Folders that are not runs (no test.json) and the `latest` symlink
 * are skipped; a missing store is simply empty.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runVerdict, type RunVerdict } from '../report/verdict.ts';
import type { ResultsJson, TestJson } from '../report/types.ts';

export interface RunSummary {
  /** "<test-name>/<timestamp>", also the run's URL path under /runs/ */
  id: string;
  dir: string;
  name: string;
  /** ISO start time (test.json startedAt, else derived from the folder name) */
  date: string;
  workload: string;
  nemesis: string;
  runtime: string;
  seed: string;
  verdict: RunVerdict['kind'];
  verdictText: string;
  durationS: number | null;
  hasReport: boolean;
}

function readJson<T>(path: string): T | null {
  try { return JSON.parse(readFileSync(path, 'utf8')) as T; } catch { return null; }
}

/** "20261120T100000123" → ISO, or null */
export function stampToIso(stamp: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(stamp);
  if (!m) return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7] ?? '000'}Z`;
}

export function listRuns(store: string): RunSummary[] {
  const root = resolve(store);
  if (!existsSync(root)) return [];
  const out: RunSummary[] = [];
  for (const test of readdirSync(root).sort()) {
    const tdir = join(root, test);
    if (lstatSync(tdir).isSymbolicLink() || !statSync(tdir).isDirectory()) continue;
    for (const stamp of readdirSync(tdir).sort()) {
      const dir = join(tdir, stamp);
      if (lstatSync(dir).isSymbolicLink() || !statSync(dir).isDirectory()) continue;
      const t = readJson<TestJson>(join(dir, 'test.json'));
      if (!t) continue;
      const r = readJson<ResultsJson>(join(dir, 'results.json')); // null when missing or half-written
      const v = runVerdict(r && Array.isArray(r.checkers) ? r : null);
      const started = typeof t.startedAt === 'string' ? t.startedAt : stampToIso(stamp) ?? '';
      const wall = typeof t.endedAt === 'string' && started ? (Date.parse(t.endedAt) - Date.parse(started)) / 1000 : NaN;
      out.push({
        id: `${test}/${stamp}`, dir, name: String(t.name ?? test), date: started,
        workload: String(t.workload ?? 'unknown'), nemesis: String(t.nemesis ?? 'unknown'), runtime: String(t.runtime ?? 'unknown'),
        seed: t.seed === undefined ? '' : String(t.seed),
        verdict: v.kind, verdictText: v.text, durationS: Number.isFinite(wall) ? wall : null,
        hasReport: existsSync(join(dir, 'report.html')),
      });
    }
  }
  // newest first; the folder stamp breaks ties
  return out.sort((a, b) => (Date.parse(b.date) || 0) - (Date.parse(a.date) || 0) || b.id.localeCompare(a.id));
}
