/**
 * The run browser's index page: runs newest first, filterable by workload and verdict. Filters are
 * a plain GET form (works without JavaScript); a line of script submits it on change. Pure.
 */
import { esc, fmtSeconds } from '../report/html.ts';
import { SYMBOL } from '../report/verdict.ts';
import type { RunSummary } from './runs.ts';

export interface IndexFilter { workload?: string; verdict?: string }

export const VERDICTS: { kind: RunSummary['verdict']; label: string }[] = [
  { kind: 'unexpected', label: 'unexpected' },
  { kind: 'unknown', label: 'unknown' },
  { kind: 'expected', label: 'as expected' },
  { kind: 'no-results', label: 'no results (did not finish)' },
];

export function filterRuns(runs: readonly RunSummary[], f: IndexFilter): RunSummary[] {
  return runs.filter((r) => (!f.workload || r.workload === f.workload) && (!f.verdict || r.verdict === f.verdict));
}

export function runHref(r: RunSummary): string {
  return `/runs/${r.id.split('/').map(encodeURIComponent).join('/')}/report.html`;
}

export function renderIndex(all: readonly RunSummary[], f: IndexFilter, store: string): string {
  const runs = filterRuns(all, f);
  const workloads = [...new Set(all.map((r) => r.workload))].sort();
  const opt = (v: string, label: string, cur?: string) => `<option value="${esc(v)}"${cur === v ? ' selected' : ''}>${esc(label)}</option>`;
  const rows = runs.map((r) => `<tr class="v-${r.verdict}" data-id="${esc(r.id)}" data-workload="${esc(r.workload)}" data-verdict="${r.verdict}">
<td><a href="${esc(runHref(r))}">${esc(r.name)}</a></td><td>${esc(r.date.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td><td>${esc(r.workload)}</td><td>${esc(r.nemesis)}</td><td>${esc(r.runtime)}</td>
<td class="verdict"><span aria-hidden="true">${SYMBOL[r.verdict]}</span> ${esc(r.verdictText)}</td><td class="num">${esc(fmtSeconds(r.durationS))}</td></tr>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>splitbrain runs</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1300px;padding:12px 20px}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}form{display:flex;gap:14px;align-items:center;margin:10px 0}
tr.v-unexpected td.verdict{background:#fde2e2;color:#7f0000;font-weight:800;border-left:6px solid #b71c1c}
tr.v-unknown td.verdict{background:#fff4d6;color:#5c3a00;font-weight:700;border-left:6px dashed #b26a00}
tr.v-expected td.verdict{color:#1b4d1e;border-left:6px solid #2e7d32}
tr.v-no-results td.verdict{background:#eee;border-left:6px double #444}
</style></head><body>
<h1>splitbrain runs</h1>
<p>Store: <code>${esc(store)}</code> · <span id="count">${runs.length} of ${all.length} runs</span>, newest first.</p>
<form method="get" action="/" id="filters">
<label>workload <select name="workload" id="f-workload">${opt('', 'all')}${workloads.map((w) => opt(w, w, f.workload)).join('')}</select></label>
<label>verdict <select name="verdict" id="f-verdict">${opt('', 'all')}${VERDICTS.map((v) => opt(v.kind, `${SYMBOL[v.kind]} ${v.label}`, f.verdict)).join('')}</select></label>
<noscript><button type="submit">filter</button></noscript></form>
${all.length === 0 ? `<p>No runs in this store yet. Start one with <code>npm run jepsen -- --workload bank --nemesis partition</code>.</p>` : ''}
<table id="runs"><thead><tr><th>name</th><th>date (UTC)</th><th>workload</th><th>nemesis</th><th>runtime</th><th>verdict</th><th>duration</th></tr></thead>
<tbody>${rows}</tbody></table>
<script>document.querySelectorAll('#filters select').forEach(function(s){s.addEventListener('change',function(){s.form.submit();});});</script>
</body></html>`;
}
