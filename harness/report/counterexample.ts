/**
 * The linearizability counterexample, drawn the way porcupine's visualizer does: one lane per
 * client with its ops as bars over time, the longest partial linearization numbered in order, the
 * op(s) that could not be placed marked, and the states. Static SVG + lists, so it reads without
 * JavaScript or hover. Field names follow checkers/linearizability/evidence.ts; anything
 * unexpected is shown as JSON rather than trusted.
 */
import type { CheckerOutcome } from '../../api/checker.ts';
import { esc, prettyJson } from './html.ts';

interface OpV { id: number; process: string; invoke: number; complete: number | null; describe: string }
interface StepV { id: number | null; describe: string; stateAfter: string | null }
interface StuckV { id: number | null; process: string; describe: string; why: string }

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : v == null ? null : JSON.stringify(v));
function pick(o: Record<string, unknown>, ...ks: string[]): unknown { for (const k of ks) if (o[k] !== undefined) return o[k]; return undefined; }

function opV(x: unknown, i: number): OpV | null {
  if (!x || typeof x !== 'object') return null;
  const o = x as Record<string, unknown>;
  const invoke = num(pick(o, 'invoke', 'call', 'start', 'invokeTime'));
  if (invoke === null) return null;
  return {
    id: num(pick(o, 'id', 'index')) ?? i,
    process: String(pick(o, 'process', 'client', 'clientId') ?? '?'),
    invoke,
    complete: num(pick(o, 'complete', 'ret', 'return', 'end', 'completeTime')),
    describe: str(pick(o, 'describe', 'description', 'desc')) ?? JSON.stringify(o),
  };
}
function stepV(x: unknown): StepV {
  if (typeof x === 'number') return { id: x, describe: `op ${x}`, stateAfter: null };
  const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
  return { id: num(pick(o, 'id', 'index', 'op')), describe: str(pick(o, 'describe', 'description', 'desc')) ?? JSON.stringify(x), stateAfter: str(pick(o, 'stateAfter', 'state')) };
}
function stuckV(x: unknown): StuckV {
  if (typeof x === 'number') return { id: x, process: '?', describe: `op ${x}`, why: '' };
  const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
  return { id: num(pick(o, 'id', 'index', 'op')), process: String(pick(o, 'process', 'client') ?? '?'), describe: str(pick(o, 'describe', 'description', 'desc')) ?? JSON.stringify(x), why: str(o.why) ?? '' };
}

/** Checkers whose result carries a counterexample worth drawing. */
export function counterexampleCheckers(cs: readonly CheckerOutcome[]): CheckerOutcome[] {
  return cs.filter((c) => c.valid === false && Array.isArray((c.result as { partitions?: unknown })?.partitions) && ((c.result as unknown as { partitions: unknown[] }).partitions.length > 0));
}

export function renderCounterexamples(cs: readonly CheckerOutcome[]): string {
  const list = counterexampleCheckers(cs);
  if (list.length === 0) return '';
  const body = list.map((c) => {
    const parts = (c.result as unknown as { partitions: unknown[] }).partitions;
    return `<h3>${esc(c.name)}: ${parts.length} key${parts.length > 1 ? 's' : ''} with no linearization</h3>` +
      parts.slice(0, 10).map((p, i) => renderPartition(p, i)).join('\n') +
      (parts.length > 10 ? `<p>${parts.length - 10} more in results.json.</p>` : '');
  }).join('\n');
  return `<section id="counterexample"><h2>Linearizability counterexample</h2>
<p class="sub">As porcupine draws it: each client's ops as bars over time; numbers give the longest order the search could justify; the bar marked <b>✗ could not place</b> is where every order fails. Read the lists below the drawing without hovering.</p>
${body}</section>`;
}

export function renderPartition(p: unknown, n: number): string {
  if (!p || typeof p !== 'object') return `<div class="cx"><pre>${esc(prettyJson(p))}</pre></div>`;
  const o = p as Record<string, unknown>;
  const ops = (Array.isArray(o.ops) ? o.ops : []).map(opV).filter((x): x is OpV => x !== null);
  const steps = (Array.isArray(o.longestLinearization) ? o.longestLinearization : []).map(stepV);
  const stuck = (Array.isArray(o.couldNotPlace) ? o.couldNotPlace : []).map(stuckV);
  const omitted = num(o.linearizationStepsOmitted) ?? 0;
  const key = o.key === undefined || o.key === null ? '' : ` key ${JSON.stringify(o.key)}`;
  const known = new Set(['key', 'ops', 'longestLinearization', 'couldNotPlace', 'linearizationStepsOmitted', 'opsOmitted', 'opCount', 'initialState', 'stateBefore', 'explanation']);
  const extra = Object.fromEntries(Object.entries(o).filter(([k]) => !known.has(k)));
  const stepNo = new Map<number, number>();
  steps.forEach((s, i) => { if (s.id !== null) stepNo.set(s.id, omitted + i + 1); });
  const stuckIds = new Set(stuck.map((s) => s.id).filter((x): x is number => x !== null));

  return `<div class="cx" data-partition="${n}">
<h4>Partition${esc(key)}${num(o.opCount) !== null ? ` · ${esc(o.opCount)} ops` : ''}${num(o.opsOmitted) ? ` (${esc(o.opsOmitted)} far from the failure not drawn)` : ''}</h4>
${typeof o.explanation === 'string' ? `<p class="explain">${esc(o.explanation)}</p>` : ''}
${ops.length ? drawOps(ops, stepNo, stuckIds, new Map(steps.map((s) => [s.id ?? -1, s.stateAfter])), focusWindow(ops, steps, stuckIds)) : '<p>(no ops in the counterexample)</p>'}
<div class="cx-lists">
<div><h5>Longest linearization${omitted ? ` (last ${steps.length} of ${omitted + steps.length} steps)` : ''}</h5>
${o.initialState !== undefined ? `<p>initial state: <code>${esc(str(o.initialState))}</code></p>` : ''}
<ol start="${omitted + 1}" class="steps">${steps.map((s) => `<li><code>${esc(s.describe)}</code>${s.stateAfter !== null ? ` → state <code>${esc(s.stateAfter)}</code>` : ''}</li>`).join('')}</ol></div>
<div class="stuck"><h5>✗ Could not place next</h5>
${o.stateBefore !== undefined ? `<p>state before: <code>${esc(str(o.stateBefore))}</code></p>` : ''}
<ul>${stuck.map((s) => `<li data-stuck="${s.id ?? ''}"><b>✗ <code>${esc(s.describe)}</code></b> (process ${esc(s.process)})${s.why ? `: ${esc(s.why)}` : ''}</li>`).join('')}</ul></div>
</div>
${Object.keys(extra).length ? `<details><summary>other fields</summary><pre>${esc(prettyJson(extra))}</pre></details>` : ''}
</div>`;
}

/** ordinal: x is the rank of each invoke/complete event, as porcupine draws it: real-time order
 * (all linearizability depends on) is kept, while ms-long ops between long gaps become readable */
function labelOf(op: OpV, stepNo: Map<number, number>, stuck: Set<number>, states: Map<number, string | null>): string {
  const no = stepNo.get(op.id);
  const after = no !== undefined ? states.get(op.id) : undefined;
  return `${no !== undefined ? `${no}. ` : stuck.has(op.id) ? '✗ ' : ''}${op.describe}${op.complete === null ? ' (pending)' : ''}${after != null ? ` [state ${after}]` : ''}`;
}

interface View { t0: number; t1: number; mark?: [number, number]; laneH: number; labels: boolean; ordinal?: boolean }

/** The window around the failure: the last few linearized steps and the ops that could not go. */
export function focusWindow(ops: readonly OpV[], steps: readonly StepV[], stuck: ReadonlySet<number>, lastSteps = 6): [number, number] | null {
  const byId = new Map(ops.map((o) => [o.id, o]));
  const focus = [...steps.slice(-lastSteps).map((s) => (s.id === null ? undefined : byId.get(s.id))), ...[...stuck].map((id) => byId.get(id))].filter((o): o is OpV => o !== undefined);
  if (focus.length === 0) return null;
  const a = Math.min(...focus.map((o) => o.invoke));
  const b = Math.max(...focus.map((o) => o.complete ?? o.invoke));
  const pad = Math.max((b - a) * 0.08, 1e-9);
  return [a - pad, b + pad];
}

function drawOps(ops: OpV[], stepNo: Map<number, number>, stuck: Set<number>, states: Map<number, string | null>, focus: [number, number] | null): string {
  const t0 = Math.min(...ops.map((x) => x.invoke));
  const done = ops.map((x) => x.complete).filter((x): x is number => x !== null);
  let t1 = Math.max(...ops.map((x) => x.invoke), ...done);
  if (t1 <= t0) t1 = t0 + 1;
  const t1p = t1 + (t1 - t0) * 0.04; // room for pending bars
  // small partitions: one drawing. Big ones: an overview with the failure's window marked, then
  // that window drawn large enough to read every label (porcupine zooms the same way).
  if (ops.length <= 40 || !focus) return svg(ops, stepNo, stuck, states, { t0, t1: t1p, laneH: 38, labels: true, ordinal: true });
  const inFocus = ops.filter((o) => o.invoke <= focus[1] && (o.complete ?? Infinity) >= focus[0]);
  return `<p class="sub">Whole partition (the bracket marks the failure's neighbourhood, drawn large below):</p>
${svg(ops, stepNo, stuck, states, { t0, t1: t1p, laneH: 18, labels: false, mark: focus })}
<p class="sub">Around the failure: ${inFocus.length} ops overlapping the last linearized steps and the op(s) that could not be placed.</p>
${svg(inFocus, stepNo, stuck, states, { t0: focus[0], t1: focus[1], laneH: 38, labels: true, ordinal: true })}`;
}

function svg(ops: OpV[], stepNo: Map<number, number>, stuck: Set<number>, states: Map<number, string | null>, v: View): string {
  const procs = [...new Set(ops.map((x) => x.process))].sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b));
  const { t0, t1, laneH } = v;
  const left = 70, top = 8;
  let W = 980;
  const H = top + procs.length * laneH + 24;
  let span = W - left - 10;
  let slot = 0;
  let x = (t: number) => left + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * span;
  if (v.ordinal) {
    const ts = [...new Set(ops.flatMap((o) => (o.complete === null ? [o.invoke] : [o.invoke, o.complete])))].sort((a, b) => a - b);
    const rank = new Map(ts.map((t, i) => [t, i]));
    // each op's label may use its bar plus the free slot after it (a process's next op starts at
    // least one event later): size slots so labels fit, and let the drawing scroll if it must
    const longest = Math.max(...ops.map((o) => labelOf(o, stepNo, stuck, states).length));
    slot = Math.max(span / (ts.length + 1), Math.min(240, (longest * 6.2 + 10) / 2));
    span = slot * (ts.length + 1);
    W = left + span + 10;
    // pending ops run to the right edge
    x = (t: number) => left + (rank.has(t) ? rank.get(t)! + 0.5 : ts.length + 0.5) * slot;
  }
  const lanes = procs.map((p, i) => `<text x="4" y="${top + i * laneH + laneH / 2 + 4}" class="lane">process ${esc(p)}</text><line x1="${left}" x2="${W}" y1="${top + (i + 1) * laneH}" y2="${top + (i + 1) * laneH}" class="grid"/>`).join('');
  const bars = ops.map((op) => {
    const lane = procs.indexOf(op.process);
    const x0 = x(op.invoke), x1 = Math.max(x0 + 4, x(op.complete ?? Infinity));
    const y = top + lane * laneH + (laneH > 20 ? 6 : 3), h = laneH - (laneH > 20 ? 12 : 6);
    const no = stepNo.get(op.id);
    const cls = stuck.has(op.id) ? 'cx-stuck' : no !== undefined ? 'cx-lin' : 'cx-rest';
    const label = labelOf(op, stepNo, stuck, states);
    const chars = v.labels ? Math.max(0, Math.floor((x1 - x0 + slot - 8) / 6.2)) : 0;
    const shown = label.length > chars ? label.slice(0, Math.max(0, chars - 1)) + (chars > 1 ? '…' : '') : label;
    return `<g class="${cls}" data-op="${op.id}"><title>${esc(label)} — process ${esc(op.process)}, ${op.invoke} → ${op.complete ?? 'pending'}${stuck.has(op.id) ? ' — could not place' : ''}</title>
<rect x="${x0.toFixed(1)}" y="${y}" width="${(x1 - x0).toFixed(1)}" height="${h}" rx="3"/>${shown ? `<text x="${(x0 + 3).toFixed(1)}" y="${y + h / 2 + 4}">${esc(shown)}</text>` : ''}</g>`;
  }).join('\n');
  const mark = v.mark ? `<g class="cx-mark"><rect x="${x(v.mark[0]).toFixed(1)}" y="1" width="${Math.max(2, x(v.mark[1]) - x(v.mark[0])).toFixed(1)}" height="${H - 22}"/><text x="${x(v.mark[0]).toFixed(1)}" y="${H - 6}">▲ failure</text></g>` : '';
  return `<div class="cx-scroll"><svg class="cx-svg" viewBox="0 0 ${W} ${H}" width="${W > 1600 ? `${Math.round(W)}px` : '100%'}" role="img" aria-label="ops per client" data-view="${v.labels ? 'detail' : 'overview'}">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde2e2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c0392b" stroke-width="2"/></pattern></defs>
${lanes}${bars}${mark}
${v.mark ? '' : `<text x="${left}" y="${H - 6}" class="axis">${v.ordinal ? 'order of invocations and completions → (real-time order kept, not to scale)' : 'time →'}  (numbered: linearized order, [state after it] · ✗ hatched, dashed: could not place · plain: not reached)</text>`}</svg></div>`;
}
