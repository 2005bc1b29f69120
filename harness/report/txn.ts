/**
 * Transactional anomalies for the report: each cycle the txn checkers found, drawn as a small
 * graph (checkers/txn's cycleSvg) with every edge's reason in words; other anomalies as text.
 */
import { cycleSvg } from '../../checkers/txn/index.ts';
import type { Anomaly, CycleAnomaly, OpAnomaly } from '../../checkers/txn/types.ts';
import type { ResultsJson } from './types.ts';
import { esc } from './html.ts';

/** cycles drawn per anomaly type at most (the checker caps its lists too) */
const DRAWN_PER_TYPE = 3;

/** what the report reads of a txn checker's result (results.json) */
interface TxnResult { summary?: string; anomalyTypes: string[]; anomalies: Record<string, Anomaly[]>; anomalyCounts?: Record<string, number> }

/** the txn checkers' results: those whose result carries `anomalies: {type: [...]}` and `anomalyTypes` */
function txnResults(results: ResultsJson | null): { name: string; result: TxnResult }[] {
  return (results?.checkers ?? []).filter((c) => {
    const r = c.result as Partial<TxnResult> | undefined;
    return !!r && typeof r.anomalies === 'object' && Array.isArray(r.anomalyTypes);
  }).map((c) => ({ name: c.name, result: c.result as unknown as TxnResult }));
}

const isCycle = (a: Anomaly): a is CycleAnomaly => Array.isArray((a as CycleAnomaly).steps);

export function renderTxnAnomalies(results: ResultsJson | null): string {
  const found = txnResults(results).filter((r) => r.result.anomalyTypes.length > 0);
  if (found.length === 0) return '';
  const parts: string[] = [];
  for (const { name, result } of found) {
    parts.push(`<h3>${esc(name)}: ${esc(result.summary ?? '')}</h3>`);
    for (const type of result.anomalyTypes) {
      const list = result.anomalies[type];
      if (!Array.isArray(list)) continue;
      const count = result.anomalyCounts?.[type] ?? list.length;
      parts.push(`<h4 data-anomaly="${esc(type)}">${esc(type)} (${count}${count > DRAWN_PER_TYPE ? `, the first ${DRAWN_PER_TYPE} drawn` : ''})</h4>`);
      for (const a of list.slice(0, DRAWN_PER_TYPE)) {
        if (isCycle(a)) {
          const txns = a.txns.map((t) => `<li><b>${esc(t.name)}</b>: op ${t.index}, process ${esc(String(t.process))}, ${esc(t.type)} <code>${esc(JSON.stringify(t.value))}</code></li>`).join('');
          const why = a.steps.map((s) => `<li><b>${esc(s.from)} → ${esc(s.to)}</b> (${esc(s.type)}${s.key === undefined ? '' : ` on key ${esc(String(s.key))}`}): ${esc(s.why)}</li>`).join('');
          parts.push(`<div class="cx"><div class="cx-scroll">${cycleSvg({ ...a, type })}</div><p><code>${esc(a.text)}</code></p><ul>${txns}</ul><ol>${why}</ol></div>`);
        } else {
          const o = a as OpAnomaly;
          parts.push(`<div class="cx"><p><b>${esc(o.txn?.name ?? '')}</b> (op ${o.txn?.index}, process ${esc(String(o.txn?.process))}): ${esc(o.why)}</p></div>`);
        }
      }
    }
  }
  return `<section id="txn"><h2>Transactional anomalies</h2>
<p class="sub">Each cycle is drawn with its transactions and its dependency edges (ww: wrote after, wr: read what the other wrote, rw: read a state the other then overwrote, process and realtime order); every edge says why it exists, checkable against the history.</p>
${parts.join('\n')}</section>`;
}
