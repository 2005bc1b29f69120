/**
 * The verdict panel: one banner a person cannot misread, then one row per checker with unexpected
 * results first. Every state has a word and a symbol besides its colour.
 */
import type { CheckerOutcome } from '../../api/checker.ts';
import { esc, prettyJson } from './html.ts';
import type { ResultsJson } from './types.ts';

export type RowClass = 'unexpected' | 'unknown' | 'expected';

export function rowClass(c: CheckerOutcome): RowClass {
  if (c.valid === 'unknown') return 'unknown';
  return c.matched ? 'expected' : 'unexpected';
}

const ORDER: Record<RowClass, number> = { unexpected: 0, unknown: 1, expected: 2 };

/** Unexpected first, then unknown, then as expected; stable within each group. */
export function orderCheckers(cs: readonly CheckerOutcome[]): CheckerOutcome[] {
  return cs.map((c, i) => [c, i] as const).sort((a, b) => ORDER[rowClass(a[0])] - ORDER[rowClass(b[0])] || a[1] - b[1]).map(([c]) => c);
}

export interface RunVerdict {
  kind: 'unexpected' | 'unknown' | 'expected' | 'no-results';
  text: string;
}

export function runVerdict(results: ResultsJson | null): RunVerdict {
  if (!results) return { kind: 'no-results', text: 'no results: the run did not finish' };
  const cs = results.checkers;
  const bad = cs.filter((c) => rowClass(c) === 'unexpected').length;
  const unk = cs.filter((c) => rowClass(c) === 'unknown').length;
  if (bad) return { kind: 'unexpected', text: `${bad} UNEXPECTED result${bad > 1 ? 's' : ''} of ${cs.length} checks` };
  if (unk) return { kind: 'unknown', text: `${unk} of ${cs.length} checks could not decide (unknown)` };
  if (cs.length === 0) return { kind: 'unknown', text: 'no checkers ran' };
  return { kind: 'expected', text: `all ${cs.length} checks as expected` };
}

export const SYMBOL: Record<RunVerdict['kind'], string> = { unexpected: '✗', unknown: '?', expected: '✓', 'no-results': '■' };

function validLabel(v: CheckerOutcome['valid']): string {
  return v === true ? '✓ valid' : v === false ? '✗ invalid' : '? unknown';
}
function expectedLabel(e: string): string {
  return e === 'may-fail' ? 'valid or invalid (may fail)' : e;
}
function matchLabel(c: CheckerOutcome): string {
  const k = rowClass(c);
  return k === 'unexpected' ? '✗ UNEXPECTED' : k === 'unknown' ? '? undecided' : '✓ as expected';
}

export function renderVerdict(results: ResultsJson | null): string {
  const v = runVerdict(results);
  const banner = `<div class="banner v-${v.kind}" role="status" data-verdict="${v.kind}"><span class="sym" aria-hidden="true">${SYMBOL[v.kind]}</span> ${esc(v.text)}</div>`;
  if (!results) return `<section id="verdict"><h2>Verdict</h2>${banner}<p>There is no results.json: the harness stopped before the checkers ran. The history and logs below show how far it got.</p></section>`;
  const rows = orderCheckers(results.checkers).map((c) => {
    const k = rowClass(c);
    const summary = typeof c.result?.summary === 'string' ? c.result.summary : '';
    return `<tr class="row-${k}" data-check="${esc(c.name)}" data-valid="${esc(String(c.valid))}" data-matched="${k}">
<td class="name">${esc(c.name)}</td><td class="valid">${esc(validLabel(c.valid))}</td><td>${esc(expectedLabel(c.expected))}</td>
<td class="matched">${esc(matchLabel(c))}</td><td>${esc(summary)}<div class="why">expected because: ${esc(c.why ?? '')}</div>
<details><summary>details</summary><pre>${esc(prettyJson(c.result))}</pre></details></td><td class="num">${esc(typeof c.elapsedMs === 'number' ? `${Math.round(c.elapsedMs)} ms` : '')}</td></tr>`;
  }).join('\n');
  const exit = results.exitCode === undefined ? '' : ` · exit code ${esc(results.exitCode)}`;
  return `<section id="verdict"><h2>Verdict</h2>${banner}
<p class="sub">overall valid: ${esc(String(results.valid))}${exit}</p>
<table class="verdicts"><thead><tr><th>check</th><th>result</th><th>expected</th><th>matched</th><th>summary</th><th>took</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}
