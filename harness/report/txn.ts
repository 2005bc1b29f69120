/**
 * Transactional anomalies for the report: each cycle the txn checkers found, drawn as a small
 * graph (checkers/txn's cycleSvg) with every edge's reason in words; other anomalies as text.
 */
import { cycleSvg } from '../../checkers/txn/index.ts';
import type { ResultsJson } from './types.ts';
import { esc } from './html.ts';

/** cycles drawn per anomaly type at most (the checker caps its lists too) */
const DRAWN_PER_TYPE = 3;

/** the txn checkers' results: those whose result carries `anomalies: {type: {list, count}}` */
function txnResults(results: ResultsJson | null): { name: string; result: Record<string, any> }[] {
  return (results?.checkers ?? []).filter((c) => c.result && typeof (c.result as any).anomalies === 'object' && Array.isArray((c.result as any).anomalyTypes))
    .map((c) => ({ name: c.name, result: c.result as Record<string, any> }));
}

export function renderTxnAnomalies(results: ResultsJson | null): string {
  const found = txnResults(results).filter((r) => r.result.anomalyTypes.length > 0);
  if (found.length === 0) return '';
  const parts: string[] = [];
  for (const { name, result } of found) {
    parts.push(`<h3>${esc(name)}: ${esc(result.summary ?? '')}</h3>`);
    for (const type of result.anomalyTypes as string[]) {
      const list = result.anomalies[type] as Record<string, any>[] | undefined;
      if (!Array.isArray(list)) continue;
      const count = result.anomalyCounts?.[type] ?? list.length;
      parts.push(`<h4 data-anomaly="${esc(type)}">${esc(type)} (${count}${count > DRAWN_PER_TYPE ? `, the first ${DRAWN_PER_TYPE} drawn` : ''})</h4>`);
      for (const a of list.slice(0, DRAWN_PER_TYPE)) {
        if (Array.isArray(a.steps)) {
          const txns = (a.txns as any[]).map((t) => `<li><b>${esc(t.name)}</b>: op ${t.index}, process ${esc(String(t.process))}, ${esc(t.type)} <code>${esc(JSON.stringify(t.value))}</code></li>`).join('');
          const why = (a.steps as any[]).map((s) => `<li><b>${esc(s.from)} → ${esc(s.to)}</b> (${esc(s.type)}${s.key === undefined ? '' : ` on key ${esc(String(s.key))}`}): ${esc(s.why)}</li>`).join('');
          parts.push(`<div class="cx"><div class="cx-scroll">${cycleSvg({ ...a, type } as any)}</div><p><code>${esc(a.text)}</code></p><ul>${txns}</ul><ol>${why}</ol></div>`);
        } else {
          parts.push(`<div class="cx"><p><b>${esc(a.txn?.name ?? '')}</b> (op ${a.txn?.index}, process ${esc(String(a.txn?.process))}): ${esc(a.why)}</p></div>`);
        }
      }
    }
  }
  return `<section id="txn"><h2>Transactional anomalies</h2>
<p class="sub">Each cycle is drawn with its transactions and its dependency edges (ww: wrote after, wr: read what the other wrote, rw: read a state the other then overwrote, process and realtime order); every edge says why it exists, checkable against the history.</p>
${parts.join('\n')}</section>`;
}
