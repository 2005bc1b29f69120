/**
 * renderReport: ReportData → one self-contained HTML page (no network: uPlot, CSS, the page script
 * and the data are all inline). Pure apart from reading the cached assets.
 */
import { assets, safeInlineScript } from './assets.ts';
import { renderCounterexamples } from './counterexample.ts';
import { renderTxnAnomalies } from './txn.ts';
import { esc, fmtSeconds, jsonForScript, prettyJson } from './html.ts';
import type { ReportData } from './model.ts';
import { renderVerdict, runVerdict, SYMBOL } from './verdict.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1440px;padding:12px 20px 60px;color:#1d1d1d}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}h3{font-size:15px}h4{margin:14px 0 4px}
nav a{margin-right:12px}.sub{color:#555;margin:4px 0 8px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.meta td:first-child{font-weight:600;background:#fafafa}
pre,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:420px}
.cmd{display:flex;gap:8px;align-items:flex-start}.cmd pre{flex:1;margin:0;white-space:pre-wrap;word-break:break-all}
.banner{font-size:20px;font-weight:700;padding:12px 16px;border-radius:6px;border:3px solid;margin:8px 0}
.banner .sym{font-size:26px;margin-right:6px}
.v-unexpected{background:#fde2e2;border-color:#b71c1c;color:#7f0000}
.v-unknown{background:#fff4d6;border-color:#b26a00;color:#5c3a00;border-style:dashed}
.v-expected{background:#e3f4e4;border-color:#2e7d32;color:#1b4d1e}
.v-no-results{background:#eee;border-color:#444;color:#222;border-style:double;border-width:5px}
tr.row-unexpected td{background:#fde2e2}tr.row-unexpected td.matched{font-weight:800;color:#7f0000;border-left:6px solid #b71c1c}
tr.row-unknown td.matched{font-weight:700;color:#5c3a00;border-left:6px dashed #b26a00}
tr.row-expected td.matched{color:#1b4d1e;border-left:6px solid #2e7d32}
.why{color:#555;font-size:12px}
.warn{background:#fff4d6;border-left:6px solid #b26a00;padding:6px 10px}
.plot{margin:4px 0 12px;min-height:40px}
.legend-note{font-size:12px;color:#444}
#timeline canvas{display:block;border:1px solid #ddd;cursor:crosshair;touch-action:manipulation}
.tl-controls{display:flex;gap:10px;align-items:center;flex-wrap:wrap;margin:6px 0}.tl-controls input[type=range]{flex:1;min-width:200px}
#tl-detail{min-height:1.5em;background:#f6f6f6;padding:6px 8px;font-family:ui-monospace,monospace;font-size:12.5px;white-space:pre-wrap;word-break:break-all}
.cx{border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:10px 0}
.cx-scroll{overflow-x:auto}.cx-svg text{font:11px ui-monospace,monospace}.cx-svg .lane{font:12px sans-serif;fill:#333}.cx-svg .axis{font:11px sans-serif;fill:#555}.cx-svg .grid{stroke:#eee}
.cx-lin rect{fill:#d6e9f8;stroke:#0072B2;stroke-width:1.5}.cx-stuck rect{fill:url(#hatch);stroke:#b71c1c;stroke-width:3;stroke-dasharray:6 3}.cx-stuck text{font-weight:700}
.cx-rest rect{fill:#fff;stroke:#999;stroke-dasharray:2 2}.cx-mark rect{fill:none;stroke:#000;stroke-width:2;stroke-dasharray:8 3}.cx-mark text{font:12px sans-serif;font-weight:700}
.cx-lists{display:grid;grid-template-columns:1fr 1fr;gap:16px}.cx-lists ol{max-height:320px;overflow:auto}.stuck li{color:#7f0000}
.explain{background:#f6f6f6;padding:6px 10px}
.bar{display:inline-block;height:10px;background:#009E73;vertical-align:middle}
`;

export function renderReport(d: ReportData): string {
  const a = assets();
  const m = d.meta;
  const v = runVerdict(d.results);
  const title = `${SYMBOL[v.kind]} ${m.name} — ${v.kind === 'expected' ? 'as expected' : v.kind === 'unexpected' ? 'UNEXPECTED' : v.kind === 'unknown' ? 'unknown' : 'no results'}`;
  const txn = renderTxnAnomalies(d.results);
  const sections = [
    header(d, txn !== ''),
    renderVerdict(d.results),
    d.results ? renderCounterexamples(d.results.checkers) : '',
    txn,
    faultsSection(d),
    d.lost.rows.length ? lostSection(d) : '',
    timelineSection(d),
    latencySection(d),
    throughputSection(d),
    d.bank ? bankSection(d) : '',
    d.convergence ? convergenceSection(d) : '',
    filesSection(d),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>${a.uplotCss}</style><style>${CSS}</style></head>
<body>
${sections.join('\n')}
<script type="application/json" id="report-data">${jsonForScript(d)}</script>
<script>${safeInlineScript(a.uplotJs)}</script>
<script>${safeInlineScript(a.pageJs)}</script>
</body></html>
`;
}

function header(d: ReportData, hasTxn: boolean): string {
  const m = d.meta;
  const warn: string[] = [];
  if (m.truncatedTail) warn.push('The last line of history.jsonl was cut off (the harness was probably killed); it was skipped.');
  if (m.skippedLines > (m.truncatedTail ? 1 : 0)) warn.push(`${m.skippedLines} line(s) of history.jsonl were not valid ops and were skipped.`);
  const rows: [string, string][] = [
    ['workload', m.workload], ['nemesis', m.nemesis], ['runtime', m.runtime], ['seed', m.seed],
    ['started', m.startedAt ?? '—'], ['ended', m.endedAt ?? '— (not recorded)'], ['duration', fmtSeconds(m.durationS)],
    ['history', `${m.ops} lines, ${d.timeline.total} client ops, span ${fmtSeconds(d.spanS)}${d.timeline.sampled ? ' (big history: per-op detail sampled, see the timeline)' : ''}`],
  ];
  const config = Object.entries(m.config).map(([k, val]) => `<tr><td>${esc(k)}</td><td><code>${esc(typeof val === 'string' ? val : prettyJson(val, 2000))}</code></td></tr>`).join('');
  return `<header><nav><a href="#verdict">verdict</a>${hasTxn ? '<a href="#txn">anomalies</a>' : ''}<a href="#faults">faults</a>${d.lost.rows.length ? '<a href="#lost">lost writes</a>' : ''}<a href="#timeline">timeline</a><a href="#latency">latency</a><a href="#throughput">throughput</a>${d.bank ? '<a href="#bank">bank</a>' : ''}${d.convergence ? '<a href="#convergence">convergence</a>' : ''}<a href="#files">files</a></nav>
<h1 id="test-name">${esc(m.name)}</h1>
${warn.map((w) => `<p class="warn">${esc(w)}</p>`).join('')}
<table class="meta">${rows.map(([k, val]) => `<tr><td>${esc(k)}</td><td data-field="${esc(k)}">${esc(val)}</td></tr>`).join('')}</table>
<p><b>Reproduce this run:</b></p>
<div class="cmd"><pre id="repro">${esc(m.command)}</pre><button type="button" data-copy="repro">copy</button></div>
<details><summary>full configuration (test.json)</summary><table class="meta">${config}</table></details></header>`;
}

function faultsSection(d: ReportData): string {
  const f = d.faults;
  const rows = f.periods.map((p) => `<tr><td>${esc(p.kind)}</td><td>${esc(p.label)}</td><td class="num">${p.start.toFixed(2)} s</td><td class="num">${p.end.toFixed(2)} s${p.open ? ' (not stopped)' : ''}</td><td class="num">${fmtSeconds(p.end - p.start)}</td></tr>`).join('');
  return `<section id="faults"><h2>Faults</h2>
<p class="sub">${f.periods.length} fault period(s)${f.healAt !== null ? `; everything healed at ${f.healAt.toFixed(2)} s (dashed line “heal” in the plots)` : '; no heal recorded'}. Fault periods are shaded grey and hatched in every plot, with the label below.</p>
${f.periods.length ? `<table id="fault-table"><thead><tr><th>fault</th><th>what, to whom</th><th>from</th><th>to</th><th>lasted</th></tr></thead><tbody>${rows}</tbody></table>` : ''}</section>`;
}

function lostSection(d: ReportData): string {
  const { rows, total } = d.lost;
  const body = rows.map((r) => `<tr><td>${esc(r.checker)}</td><td>${esc(r.key ?? '')}</td><td><code>${esc(JSON.stringify(r.value))}</code></td><td>${esc(String(r.process))}</td><td>${esc(r.node ?? '—')}</td><td class="num">${Number.isFinite(r.ackS) ? r.ackS.toFixed(3) + ' s' : '—'}</td><td>${esc(r.faults.join('; ') || 'none')}</td><td>${esc(r.missingOn.join(', '))}</td></tr>`).join('');
  return `<section id="lost"><h2>Lost acknowledged writes</h2>
<p class="sub">${total} write(s) were acknowledged to a client and are missing from some node's final read${total > rows.length ? ` (the first ${rows.length} shown)` : ''}. Each is marked ✗ on the operation timeline at the moment it was acknowledged.</p>
<table id="lost-table"><thead><tr><th>checker</th><th>key</th><th>value</th><th>process</th><th>acknowledged by</th><th class="num">acknowledged at</th><th>faults active then</th><th>missing on</th></tr></thead><tbody>${body}</tbody></table></section>`;
}

function timelineSection(d: ReportData): string {
  const s = d.timeline.sampled;
  const sampled = s ? `<p class="warn" id="timeline-sampled">Sampled: this history has ${s.total} client ops, too many to ship each one, so the timeline holds ${s.shown} of them: ${s.okEvery === 1 ? 'every ok op' : `every ${ordinal(s.okEvery)} ok op`} and ${s.otherEvery === 1 ? 'every fail, info and pending op' : `every ${ordinal(s.otherEvery)} fail, info or pending op`}. Gaps between bars are ops left out, not idle time. The counts, throughput and latency quantiles on this page come from every op.</p>\n` : '';
  return `<section id="timeline"><h2>Operations per process</h2>
${sampled}<p class="legend-note">${d.timeline.laneBy === 'worker' ? `One lane per worker (w<i>k</i> holds processes <i>k</i>, <i>k</i>+concurrency, … : a process retired after an info op continues as the next), since ${d.timeline.lanes.length} workers ran more than 40 processes. ` : 'One lane per process (p<i>n</i>). '}Each bar runs from invoke to completion. <b>ok</b>: solid green bar · <b>fail</b>: red bar with white hatching · <b>info</b> (unknown outcome): orange dashed outline · <b>pending</b>: grey dotted outline. Tap or hover a bar for its details; with the timeline focused, ← and → move the window. Grey hatched regions are faults.</p>
<div class="tl-controls"><button type="button" id="tl-prev">◀ earlier</button><label>window start <input type="range" id="tl-start" min="0" value="0"></label><button type="button" id="tl-next">later ▶</button>
<label>window <select id="tl-width"></select></label><span id="tl-count"></span></div>
<canvas aria-label="operation timeline"></canvas>
<div id="tl-detail" role="status">tap an operation to see it here</div></section>`;
}

function latencySection(d: ReportData): string {
  const L = d.latency;
  const q = d.quantiles.map((r) => `<tr data-f="${esc(r.f)}"><td>${esc(r.f)}</td><td class="num">${r.ok}</td><td class="num">${r.fail}</td><td class="num">${r.info}</td><td class="num">${r.pending}</td>${[r.p50, r.p90, r.p99, r.p999, r.max].map((x) => `<td class="num">${Number.isFinite(x) ? x.toFixed(2) : '—'}</td>`).join('')}</tr>`).join('');
  return `<section id="latency"><h2>Latency</h2>
<p class="sub">Each point is one op at its invoke time (log scale). Shape gives the outcome: ● ok, ✕ fail, ▲ info; colour gives the operation.${L.sampled ? ` Showing ${L.t.length} of ${L.total} ops: every fail and info, ok ops evenly thinned.` : ` All ${L.total} completed ops.`} Drag to zoom, double-click to reset.</p>
<div id="plot-latency" class="plot" data-points="${L.t.length}" data-total="${L.total}"></div>
<h3>Latency quantiles over time</h3>
<div id="plot-quantiles" class="plot"></div>
<h3>Quantiles per operation (ok ops, ms)</h3>
<table id="quantile-table"><thead><tr><th>f</th><th class="num">ok</th><th class="num">fail</th><th class="num">info</th><th class="num">pending</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">max</th></tr></thead><tbody>${q}</tbody></table></section>`;
}

function throughputSection(d: ReportData): string {
  const t = d.throughput.totals;
  return `<section id="throughput"><h2>Throughput</h2>
<p class="sub" id="throughput-totals" data-ok="${t.ok}" data-fail="${t.fail}" data-info="${t.info}" data-pending="${t.pending}">Completed client ops per second by outcome (final reads excluded), ${d.throughput.bucketS} s buckets. Totals: ok ${t.ok} · fail ${t.fail} · info ${t.info} · pending ${t.pending}.</p>
<div id="plot-throughput" class="plot"></div></section>`;
}

function bankSection(d: ReportData): string {
  const b = d.bank!;
  const finals = b.finals.map((f) => `<tr><td>${esc(f.node)}</td><td class="num">${f.total}</td><td class="num">${f.min}${f.min < 0 ? ' (negative)' : ''}</td></tr>`).join('');
  return `<section id="bank"><h2>Bank: total and lowest balance</h2>
<p class="sub">From ${b.reads} ok reads${b.bucketS !== null ? `, shown per ${b.bucketS} s bucket (lowest and highest total, lowest balance), so no dip is hidden` : ''}.${b.expectedTotal !== null ? ` Expected total ${b.expectedTotal}.` : ''} Lowest balance seen: ${b.lowest ?? '—'}${b.lowest !== null && b.lowest < 0 ? ' (an overdraft)' : ''}.</p>
<div id="plot-bank" class="plot"></div>
${finals ? `<h3>Final reads</h3><table><thead><tr><th>node</th><th class="num">total</th><th class="num">lowest balance</th></tr></thead><tbody>${finals}</tbody></table>` : ''}</section>`;
}

function convergenceSection(d: ReportData): string {
  const c = d.convergence!;
  const chk = d.results?.checkers.find((x) => /converg/i.test(x.name))?.result as { convergedAfterS?: number | null } | undefined;
  const nodes = c.nodes;
  const max = Math.max(1e-9, ...nodes.map((n) => n.afterHealS ?? 0));
  const rows = nodes.map((n) => `<tr data-node="${esc(n.node)}"><td>${esc(n.node)}</td><td class="num">${n.afterHealS === null ? '✗ did not converge' : n.afterHealS.toFixed(3) + ' s'}</td><td>${n.afterHealS === null ? '' : `<span class="bar" style="width:${Math.round((n.afterHealS / max) * 300) + 2}px"></span>`}</td><td class="num">${n.rounds}</td><td><code>${esc(n.finalRoot ?? '—')}</code></td></tr>`).join('');
  return `<section id="convergence"><h2>Convergence after the heal</h2>
<p class="sub">${c.agreed ? '✓ every node ended with the same digest (maep: its Merkle root).' : '✗ the nodes did not end with the same digest.'}${typeof chk?.convergedAfterS === 'number' ? ` The convergence checker says: converged ${chk.convergedAfterS.toFixed(3)} s after the heal.` : ''}</p>
<table id="convergence-table"><thead><tr><th>node</th><th class="num">converged after heal</th><th></th><th class="num">final-read rounds</th><th>final root</th></tr></thead><tbody>${rows}</tbody></table>
<div id="plot-convergence" class="plot"></div></section>`;
}

function filesSection(d: ReportData): string {
  const links = d.meta.files.map((f) => `<li><a href="./${esc(f.split('/').map(encodeURIComponent).join('/'))}">${esc(f)}</a></li>`).join('');
  return `<section id="files"><h2>Files</h2><ul>${links || '<li>(none found)</li>'}</ul></section>`;
}

function ordinal(n: number): string {
  const t = n % 100;
  return `${n}${t >= 11 && t <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th'}`;
}
