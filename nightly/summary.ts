/**
 * The nightly summary: what each cell did, which failures were unexpected, whether a rerun with the
 * same seed reproduced them, and what changed since the previous nightly. Pure: data in, data and
 * HTML out.
 */
import type { Cell } from './matrix.ts';

/** passed: every checker as expected; unexpected: a checker did not match its expectation (exit 1);
 *  unknown: a checker could not decide (exit 2); error: the harness failed (254/255 or no exit). */
export type CellStatus = 'passed' | 'unexpected' | 'unknown' | 'error';

export interface CheckerVerdict {
  name: string;
  valid: true | false | 'unknown';
  expected: string;
  matched: boolean;
}

export interface CellRun {
  exitCode: number | null;
  durationS: number;
  /** run folder relative to the summary's folder, when the harness stored one */
  runDir?: string;
  checkers: CheckerVerdict[];
  /** what went wrong when the harness itself failed (last lines of its output) */
  error?: string;
}

export interface CellOutcome {
  cell: Cell;
  status: CellStatus;
  run: CellRun;
  /** the same cell and seed once more, only after an unexpected failure */
  rerun?: CellRun & { reproduced: boolean };
}

export interface NightlySummary {
  /** folder name under store/nightly/ */
  id: string;
  startedAt: string;
  endedAt: string;
  matrixFile: string;
  cells: CellOutcome[];
  skippedRuntimes: { runtime: string; why: string }[];
  /** cells not started because the time budget ran out */
  budgetSkipped: string[];
}

export function statusFromExit(code: number | null): CellStatus {
  if (code === 0) return 'passed';
  if (code === 1) return 'unexpected';
  if (code === 2) return 'unknown';
  return 'error';
}

/** Exit code of the whole nightly, following the harness's: unexpected (or crashed) → 1, unknown → 2. */
export function nightlyExitCode(s: NightlySummary): number {
  const st = s.cells.map((c) => c.status);
  if (st.includes('unexpected') || st.includes('error')) return 1;
  if (st.includes('unknown')) return 2;
  return 0;
}

export interface TrendRow extends CellOutcome {
  /** status of the same cell (same id) in the previous nightly, if it ran there */
  previous?: CellStatus;
  changed: boolean;
  /** failing unexpectedly now, and not in the previous nightly */
  newFailure: boolean;
}

const BAD: CellStatus[] = ['unexpected', 'error'];
const RANK: Record<CellStatus, number> = { unexpected: 1, error: 2, unknown: 3, passed: 5 };

/** Join with the previous nightly and order: new unexpected failures first, then old ones,
 *  then unknowns, then changed cells, then the rest; stable by cell id within a group. */
export function trendRows(current: NightlySummary, previous?: NightlySummary): TrendRow[] {
  const before = new Map(previous?.cells.map((c) => [c.cell.id, c.status]) ?? []);
  const rows = current.cells.map((c): TrendRow => {
    const prev = c.cell.fresh ? undefined : before.get(c.cell.id);
    const changed = prev !== undefined && prev !== c.status;
    const newFailure = BAD.includes(c.status) && !(prev !== undefined && BAD.includes(prev));
    return { ...c, previous: prev, changed, newFailure };
  });
  const rank = (r: TrendRow) => (r.newFailure ? 0 : r.changed && r.status === 'passed' ? 4 : RANK[r.status]);
  return rows.sort((a, b) => rank(a) - rank(b) || a.cell.id.localeCompare(b.cell.id));
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

// Every status has a text label and a symbol, so nothing depends on colour alone.
const LABEL: Record<CellStatus, string> = {
  passed: '✔ as expected',
  unexpected: '✘ UNEXPECTED',
  unknown: '? unknown',
  error: '✘ HARNESS ERROR',
};

function verdictCell(checkers: CheckerVerdict[]): string {
  if (checkers.length === 0) return '<span class="muted">no results</span>';
  return checkers
    .map((c) => {
      const v = c.valid === true ? 'valid' : c.valid === false ? 'invalid' : 'unknown';
      const mark = c.matched ? '' : ' <strong>(unexpected)</strong>';
      return `<span class="chk ${c.matched ? 'ok' : 'bad'}" title="expected ${esc(c.expected)}">${esc(c.name)}: ${v}${mark}</span>`;
    })
    .join(' ');
}

function rerunCell(r: TrendRow): string {
  if (!r.rerun) return r.status === 'unexpected' ? 'not rerun' : '';
  const link = r.rerun.runDir ? ` <a href="${esc(r.rerun.runDir)}/report.html">report</a>` : '';
  return (r.rerun.reproduced ? '<strong>reproduced</strong>' : 'did not reproduce (flaky?)') + link;
}

function trendCell(r: TrendRow): string {
  if (r.cell.fresh) return '<span class="muted">fresh seed</span>';
  if (r.previous === undefined) return '<span class="muted">new cell</span>';
  if (!r.changed) return `same (${esc(r.previous)})`;
  return `<strong>changed</strong>: ${esc(r.previous)} → ${esc(r.status)}${r.newFailure ? ' <strong>NEW FAILURE</strong>' : ''}`;
}

export function renderSummaryHtml(s: NightlySummary, previous?: NightlySummary): string {
  const rows = trendRows(s, previous);
  const count = (st: CellStatus) => s.cells.filter((c) => c.status === st).length;
  const newFailures = rows.filter((r) => r.newFailure).length;
  const body = rows
    .map((r) => {
      const report = r.run.runDir ? `<a href="${esc(r.run.runDir)}/report.html">report</a>` : '<span class="muted">no run folder</span>';
      const err = r.run.error ? `<pre>${esc(r.run.error)}</pre>` : '';
      return `<tr class="st-${r.status}${r.newFailure ? ' new' : ''}" data-status="${r.status}" data-cell="${esc(r.cell.id)}">
<td>${esc(r.cell.id)}</td><td>${esc(r.cell.workload)}</td><td>${esc(r.cell.nemesis)}</td><td>${esc(r.cell.runtime)}</td>
<td>${r.cell.seed}${r.cell.fresh ? ' (fresh)' : ''}${r.cell.nodeArgs ? `<br><code>${esc(r.cell.nodeArgs)}</code>` : ''}</td>
<td class="status">${LABEL[r.status]}${r.run.exitCode === null ? '' : ` <span class="muted">exit ${r.run.exitCode}</span>`}</td>
<td>${verdictCell(r.run.checkers)}${err}</td><td>${r.run.durationS.toFixed(1)} s</td><td>${report}</td>
<td>${rerunCell(r)}</td><td>${trendCell(r)}</td></tr>`;
    })
    .join('\n');
  const skipped = [
    ...s.skippedRuntimes.map((x) => `<li>runtime <code>${esc(x.runtime)}</code> skipped: ${esc(x.why)}</li>`),
    ...s.budgetSkipped.map((id) => `<li>cell <code>${esc(id)}</code> not started: the time budget ran out</li>`),
  ].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>splitbrain nightly ${esc(s.id)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}.muted{color:#777}.st-unexpected,.st-error{background:#fde8e8}.st-unknown{background:#fff6db}
tr.new td:first-child{border-left:6px solid #b00}.chk{display:inline-block;margin:1px 4px 1px 0;padding:0 4px;border:1px solid #ccc;border-radius:3px}
.chk.bad{border-color:#b00;font-weight:bold}pre{white-space:pre-wrap;max-height:8em;overflow:auto;font-size:12px}
.summary span{margin-right:1.5em}
</style></head><body>
<h1>splitbrain nightly ${esc(s.id)}</h1>
<p class="summary" id="totals"><span>${s.cells.length} cells</span><span>✔ ${count('passed')} as expected</span>
<span>✘ ${count('unexpected')} unexpected</span><span>✘ ${count('error')} harness errors</span>
<span>? ${count('unknown')} unknown</span><span>${newFailures} new failures since ${previous ? esc(previous.id) : 'no previous nightly'}</span></p>
<p class="muted">started ${esc(s.startedAt)}, ended ${esc(s.endedAt)}, matrix ${esc(s.matrixFile)}</p>
${skipped ? `<ul id="skipped">${skipped}</ul>` : ''}
<table id="cells"><thead><tr><th>cell</th><th>workload</th><th>nemesis</th><th>runtime</th><th>seed</th><th>status</th>
<th>checkers</th><th>duration</th><th>report</th><th>rerun (same seed)</th><th>since last nightly</th></tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}
