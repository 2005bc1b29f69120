/**
 * The report page's script (runs in the browser, inlined by assets.ts after esbuild strips the
 * types). It reads the data blob, draws the charts with uPlot and the windowed op timeline on a
 * canvas. Faults are shaded *and* hatched and labelled; outcomes have shapes and words, not just
 * colours; every hover detail is also reachable by tapping.
 */
import type uPlotT from 'uplot';
import type { ReportData } from '../model.ts';

declare const uPlot: typeof uPlotT;

type Charts = Record<string, uPlotT>;
interface TimelineState { windowStart: number; windowWidth: number; drawn: number }
declare global { interface Window { __report: { charts: Charts; timeline: TimelineState; ready: boolean } } }

const data = JSON.parse(document.getElementById('report-data')!.textContent!) as ReportData;
const charts: Charts = {};
const tlState: TimelineState = { windowStart: 0, windowWidth: 0, drawn: 0 };
window.__report = { charts, timeline: tlState, ready: false };

// Okabe–Ito: distinguishable with the common colour-vision deficiencies
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
const OUTCOME_COLOR = ['#2e7d32', '#c62828', '#ef6c00', '#757575'];
const OUTCOME_NAME = ['ok', 'fail', 'info', 'pending'];
const OUTCOME_MARK = ['●', '✕', '▲', '…'];

const fmtS = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' s';

function width(el: HTMLElement): number {
  return Math.max(480, Math.min(1400, el.clientWidth || 900));
}

/** Fault shading for any chart whose x scale is seconds since test start. */
function faultPlugin(offset = 0): uPlotT.Plugin {
  return {
    hooks: {
      drawAxes: [(u: uPlotT) => {
        const ctx = u.ctx;
        const { top, height, left, width: w } = u.bbox;
        ctx.save();
        ctx.beginPath(); ctx.rect(left, top, w, height); ctx.clip();
        const dpr = devicePixelRatio || 1;
        data.faults.periods.forEach((p, i) => {
          const x0 = u.valToPos(p.start - offset, 'x', true), x1 = u.valToPos(p.end - offset, 'x', true);
          if (x1 < left || x0 > left + w) return;
          ctx.fillStyle = 'rgba(120,120,120,0.13)';
          ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
          ctx.strokeStyle = 'rgba(90,90,90,0.25)'; ctx.lineWidth = 1;
          ctx.beginPath();
          for (let x = x0 - height; x < x1; x += 10 * dpr) { ctx.moveTo(Math.max(x, x0), top + Math.max(0, x0 - x)); ctx.lineTo(Math.min(x + height, x1), top + Math.min(height, x1 - x)); }
          ctx.stroke();
          ctx.fillStyle = '#333'; ctx.font = `${11 * dpr}px sans-serif`;
          ctx.fillText(`${p.kind}${p.label ? ': ' + p.label : ''}`.slice(0, 60), Math.max(x0, left) + 3 * dpr, top + (12 + (i % 3) * 12) * dpr);
        });
        if (data.faults.healAt !== null) {
          const x = u.valToPos(data.faults.healAt - offset, 'x', true);
          ctx.strokeStyle = '#222'; ctx.setLineDash([6 * dpr, 4 * dpr]); ctx.lineWidth = 1.5 * dpr;
          ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke(); ctx.setLineDash([]);
          ctx.fillStyle = '#222'; ctx.fillText('heal', x + 3 * dpr, top + height - 6 * dpr);
        }
        ctx.restore();
      }],
    },
  };
}

// every time chart spans the whole run (0 .. span) so they line up; range only applies when
// auto-ranging, so drag-zoom still works
const xScale: uPlotT.Scale = { time: false, range: (_u, mn, mx) => [Math.min(0, mn ?? 0), Math.max(data.spanS, mx ?? 0, 1e-3)] };
const xAxis: uPlotT.Axis = { label: 'time since start (s)', values: (_u, vals) => vals.map((v) => fmtS(v)) };

/** Custom point shapes so outcomes differ by form as well as colour: ● ok, ✕ fail, ▲ info. */
function shapePaths(shape: number, size: number): uPlotT.Series.PathBuilder {
  return (u, sidx, i0, i1) => {
    const xs = u.data[0], ys = u.data[sidx];
    const ctx = u.ctx, dpr = devicePixelRatio || 1, r = (size / 2) * dpr;
    const s = u.series[sidx];
    ctx.save();
    ctx.beginPath(); ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height); ctx.clip();
    ctx.fillStyle = ctx.strokeStyle = typeof s.stroke === 'function' ? s.stroke(u, sidx) as string : (s.stroke as string);
    ctx.lineWidth = 1.5 * dpr;
    ctx.beginPath();
    for (let i = i0; i <= i1; i++) {
      const y = ys[i];
      if (y == null) continue;
      const cx = u.valToPos(xs[i] as number, 'x', true), cy = u.valToPos(y as number, 'y', true);
      if (shape === 0) { ctx.moveTo(cx + r, cy); ctx.arc(cx, cy, r, 0, 2 * Math.PI); }
      else if (shape === 1) { ctx.moveTo(cx - r, cy - r); ctx.lineTo(cx + r, cy + r); ctx.moveTo(cx + r, cy - r); ctx.lineTo(cx - r, cy + r); }
      else { ctx.moveTo(cx, cy - r); ctx.lineTo(cx + r, cy + r); ctx.lineTo(cx - r, cy + r); ctx.closePath(); }
    }
    if (shape === 0) ctx.fill(); else ctx.stroke();
    ctx.restore();
    return null;
  };
}

function latencyChart(el: HTMLElement) {
  const L = data.latency;
  if (L.t.length === 0) { el.textContent = 'no completed client operations'; return; }
  const combos: [number, number][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < L.t.length; i++) { const k = L.f[i] + ':' + L.type[i]; if (!seen.has(k)) { seen.add(k); combos.push([L.f[i], L.type[i]]); } }
  combos.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const cols = combos.map(() => new Array<number | null>(L.t.length).fill(null));
  const col = new Map(combos.map(([f, t], i) => [f + ':' + t, i]));
  for (let i = 0; i < L.t.length; i++) cols[col.get(L.f[i] + ':' + L.type[i])!][i] = L.ms[i];
  const series: uPlotT.Series[] = [{}].concat(combos.map(([f, t]) => ({
    label: `${L.fs[f]} ${OUTCOME_NAME[t]} ${OUTCOME_MARK[t]}`,
    stroke: PALETTE[f % PALETTE.length],
    paths: shapePaths(t, t === 0 ? 4 : 7),
    points: { show: false },
    value: (_u: uPlotT, v: number) => (v == null ? '—' : v.toFixed(2) + ' ms'),
  })));
  charts.latency = new uPlot({
    width: width(el), height: 320, series,
    scales: { x: xScale, y: { distr: 3, range: logRange(L.ms) } },
    axes: [xAxis, { label: 'latency (ms, log)', size: 60 }],
    cursor: { drag: { x: true, y: false } },
    plugins: [faultPlugin()],
  }, [L.t, ...cols] as uPlotT.AlignedData, el);
}

/** y range a little beyond the data: uPlot's default log range can clip the fastest ops */
function logRange(vals: readonly (number | null)[]): [number, number] {
  let mn = Infinity, mx = 0;
  for (const v of vals) if (v != null && v > 0) { if (v < mn) mn = v; if (v > mx) mx = v; }
  if (!Number.isFinite(mn)) return [0.1, 10];
  return [mn / 1.5, mx * 1.5];
}

function quantileChart(el: HTMLElement) {
  const Q = data.quantilesOverTime;
  if (!Q.p50.some((v) => v !== null)) { el.textContent = 'no ok operations'; return; }
  const line = (label: string, dash: number[], color: string): uPlotT.Series => ({ label, stroke: color, width: 1.5, dash, spanGaps: false, value: (_u, v) => (v == null ? '—' : v.toFixed(2) + ' ms') });
  charts.quantiles = new uPlot({
    width: width(el), height: 260,
    series: [{}, line('p50 (solid)', [], '#0072B2'), line('p95 (dashed)', [8, 4], '#E69F00'), line('p99 (dotted)', [2, 3], '#D55E00'), line('max (dash-dot)', [10, 3, 2, 3], '#000')],
    scales: { x: xScale, y: { distr: 3, range: logRange([...Q.p50, ...Q.max]) } },
    axes: [xAxis, { label: `latency per ${Q.bucketS} s (ms, log)`, size: 60 }],
    plugins: [faultPlugin()],
  }, [Q.t, Q.p50, Q.p95, Q.p99, Q.max] as uPlotT.AlignedData, el);
}

function throughputChart(el: HTMLElement) {
  const T = data.throughput;
  const s = (label: string, color: string, dash: number[]): uPlotT.Series => ({ label, stroke: color, width: 1.5, dash, value: (_u, v) => (v == null ? '—' : v.toFixed(1) + '/s') });
  charts.throughput = new uPlot({
    width: width(el), height: 260,
    series: [{}, s('ok (solid)', OUTCOME_COLOR[0], []), s('fail (dashed)', OUTCOME_COLOR[1], [8, 4]), s('info (dotted)', OUTCOME_COLOR[2], [2, 3])],
    scales: { x: xScale },
    axes: [xAxis, { label: `completions/s (per ${T.bucketS} s)`, size: 60 }],
    plugins: [faultPlugin()],
  }, [T.t, T.ok, T.fail, T.info] as uPlotT.AlignedData, el);
}

function bankChart(el: HTMLElement) {
  const B = data.bank!;
  if (B.t.length === 0) { el.textContent = 'no ok reads'; return; }
  const pts = { show: B.bucketS === null && B.t.length < 400, size: 4 };
  const per = B.bucketS === null ? '' : ` per ${B.bucketS} s`;
  const series: uPlotT.Series[] = [{},
    { label: B.bucketS === null ? 'total (solid)' : `lowest total${per} (solid)`, stroke: '#0072B2', width: 1.5, scale: 'total', points: pts },
    { label: `lowest balance${per} (dashed)`, stroke: '#D55E00', width: 1.5, dash: [8, 4], scale: 'min', points: pts }];
  const cols: (number | null)[][] = [B.total, B.min];
  if (B.totalHigh) {
    series.push({ label: `highest total${per} (dash-dot)`, stroke: '#56B4E9', width: 1.5, dash: [10, 3, 2, 3], scale: 'total', points: { show: false } });
    cols.push(B.totalHigh);
  }
  if (B.expectedTotal !== null) {
    series.push({ label: 'expected total (dotted)', stroke: '#555', width: 1, dash: [2, 3], scale: 'total', points: { show: false } });
    cols.push(B.t.map(() => B.expectedTotal));
  }
  charts.bank = new uPlot({
    width: width(el), height: 260, series,
    scales: { x: xScale, total: {}, min: {} },
    axes: [xAxis, { scale: 'total', label: 'total', size: 60 }, { scale: 'min', label: 'lowest balance', side: 1, size: 60, grid: { show: false } }],
    plugins: [faultPlugin()],
  }, [B.t, ...cols] as uPlotT.AlignedData, el);
}

function convergenceChart(el: HTMLElement) {
  const C = data.convergence!;
  const times = C.nodes.map((n) => n.afterHealS).filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (times.length === 0) { el.textContent = 'no node reached the common final state'; return; }
  const xs = [0, ...times], ys = [0, ...times.map((_, i) => i + 1)];
  charts.convergence = new uPlot({
    width: width(el), height: 220,
    series: [{}, { label: 'nodes converged', stroke: '#009E73', width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: true, size: 6 } }],
    scales: { x: { time: false }, y: { range: [0, C.nodes.length] } },
    axes: [{ label: 'seconds after the heal', values: (_u, v) => v.map(fmtS) }, { label: 'nodes', size: 50 }],
  }, [xs, ys], el);
}

// ---- the op timeline: a canvas showing only the ops in the visible window -------------------

function timeline(root: HTMLElement) {
  const T = data.timeline;
  const canvas = root.querySelector('canvas')!;
  const slider = root.querySelector<HTMLInputElement>('#tl-start')!;
  const widthSel = root.querySelector<HTMLSelectElement>('#tl-width')!;
  const info = root.querySelector<HTMLElement>('#tl-count')!;
  const detail = document.getElementById('tl-detail')!;
  const endS = Math.max(T.endS, 1e-3);
  const lanes = T.lanes.length;
  const laneH = lanes > 60 ? 8 : lanes > 25 ? 14 : 22;
  const LEFT = 64;
  let hits: { x0: number; x1: number; y0: number; y1: number; i: number }[] = [];

  // default window: everything for small histories, else about 2000 ops' worth of time
  const n = T.start.length;
  const defWidth = n <= 2000 ? endS : Math.max(0.1, (endS * 2000) / n);
  const choices = [0.5, 1, 2, 5, 10, 30, 60, 120, 300];
  for (const c of choices) if (c < endS) widthSel.add(new Option(`${c} s`, String(c)));
  widthSel.add(new Option(`all (${fmtS(endS)})`, String(endS)));
  const best = [...widthSel.options].map((o) => Number(o.value)).reduce((a, b) => (Math.abs(b - defWidth) < Math.abs(a - defWidth) ? b : a));
  widthSel.value = String(best);

  function lowerBound(t: number): number {
    let lo = 0, hi = n;
    while (lo < hi) { const m = (lo + hi) >> 1; if (T.start[m] < t) lo = m + 1; else hi = m; }
    return lo;
  }

  const laneOfProc = new Map<number, number>();
  T.proc.forEach((p, i) => laneOfProc.set(p, T.lane[i]!));
  function draw() {
    const ww = Number(widthSel.value);
    const maxStart = Math.max(0, endS - ww);
    slider.max = String(maxStart);
    slider.step = String(Math.max(ww / 50, 1e-3));
    const ws = Math.min(Number(slider.value), maxStart);
    tlState.windowStart = ws; tlState.windowWidth = ww;
    const dpr = devicePixelRatio || 1;
    const W = width(root), H = lanes * laneH + 24;
    canvas.width = W * dpr; canvas.height = H * dpr;
    canvas.style.width = W + 'px'; canvas.style.height = H + 'px';
    const ctx = canvas.getContext('2d')!;
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, W, H);
    const x = (t: number) => LEFT + ((t - ws) / ww) * (W - LEFT - 4);
    // fault shading + labels
    data.faults.periods.forEach((p, k) => {
      if (p.end < ws || p.start > ws + ww) return;
      const a = Math.max(LEFT, x(p.start)), b = Math.min(W, x(p.end));
      ctx.fillStyle = 'rgba(120,120,120,0.15)'; ctx.fillRect(a, 0, b - a, H - 20);
      ctx.fillStyle = '#333'; ctx.font = '11px sans-serif';
      ctx.fillText(`${p.kind}${p.label ? ': ' + p.label : ''}`.slice(0, 60), a + 2, 10 + (k % 3) * 12);
    });
    if (data.faults.healAt !== null && data.faults.healAt >= ws && data.faults.healAt <= ws + ww) {
      const hx = x(data.faults.healAt);
      ctx.strokeStyle = '#222'; ctx.setLineDash([6, 4]); ctx.beginPath(); ctx.moveTo(hx, 0); ctx.lineTo(hx, H - 20); ctx.stroke(); ctx.setLineDash([]);
      ctx.fillStyle = '#222'; ctx.fillText('heal', hx + 2, H - 26);
    }
    ctx.font = `${Math.min(11, laneH - 2)}px sans-serif`;
    for (let l = 0; l < lanes; l++) {
      ctx.fillStyle = '#444';
      if (laneH >= 10 || l % 5 === 0) ctx.fillText(T.lanes[l], 2, l * laneH + laneH - 4);
      ctx.strokeStyle = '#eee'; ctx.beginPath(); ctx.moveTo(LEFT, (l + 1) * laneH); ctx.lineTo(W, (l + 1) * laneH); ctx.stroke();
    }
    // time ticks along the bottom
    ctx.fillStyle = '#555'; ctx.strokeStyle = '#bbb'; ctx.font = '10px sans-serif';
    const tick = niceStep(ww / 8);
    for (let tt = Math.ceil(ws / tick) * tick; tt <= ws + ww + 1e-9; tt += tick) {
      const tx = x(tt);
      ctx.beginPath(); ctx.moveTo(tx, H - 22); ctx.lineTo(tx, H - 18); ctx.stroke();
      ctx.fillText(fmtS(tt), tx + 2, H - 10);
    }
    ctx.font = `${Math.min(11, laneH - 2)}px sans-serif`;
    hits = [];
    let drawn = 0;
    const from = lowerBound(ws - T.maxDur), to = lowerBound(ws + ww);
    for (let i = from; i < to; i++) {
      const s = T.start[i], e = T.end[i] < 0 ? endS : T.end[i];
      if (e < ws) continue;
      const x0 = Math.max(LEFT, x(s)), x1 = Math.max(x0 + 2, Math.min(W, x(e)));
      const y0 = T.lane[i] * laneH + 2, h = laneH - 4;
      const ty = T.type[i];
      ctx.fillStyle = OUTCOME_COLOR[ty];
      if (ty === 0) ctx.fillRect(x0, y0, x1 - x0, h);
      else if (ty === 1) { // fail: filled + white cross-hatch
        ctx.fillRect(x0, y0, x1 - x0, h);
        ctx.strokeStyle = '#fff'; ctx.lineWidth = 1; ctx.beginPath();
        for (let k = x0; k < x1; k += 5) { ctx.moveTo(k, y0); ctx.lineTo(Math.min(k + h, x1), y0 + Math.min(h, x1 - k)); }
        ctx.stroke();
      } else { // info / pending: outline only, dashed
        ctx.strokeStyle = OUTCOME_COLOR[ty]; ctx.lineWidth = 1.5; ctx.setLineDash(ty === 2 ? [4, 2] : [1, 2]);
        ctx.strokeRect(x0 + 0.5, y0 + 0.5, x1 - x0 - 1, h - 1); ctx.setLineDash([]);
      }
      if (x1 - x0 > 36 && h >= 10) {
        ctx.fillStyle = ty === 0 || ty === 1 ? '#fff' : '#333';
        ctx.fillText(`${T.fs[T.f[i]]} ${OUTCOME_NAME[ty]}`.slice(0, Math.floor((x1 - x0 - 4) / 6)), x0 + 2, y0 + h - 3);
      }
      hits.push({ x0, x1, y0, y1: y0 + h, i });
      drawn++;
    }
    // lost acknowledged writes: a red ✗ in the writer's lane at the moment it was acknowledged
    ctx.fillStyle = '#b71c1c'; ctx.font = `bold ${Math.max(10, Math.min(14, laneH))}px sans-serif`;
    for (const l of data.lost.rows) {
      const lane = laneOfProc.get(Number(l.process));
      if (lane === undefined || !(l.ackS >= ws && l.ackS <= ws + ww)) continue;
      ctx.fillText('✗', x(l.ackS) - 4, lane * laneH + laneH - 2);
    }
    tlState.drawn = drawn;
    info.textContent = `showing ${drawn} of ${T.total} client ops, ${fmtS(ws)} – ${fmtS(ws + ww)}` + (T.sampled ? ` (a sample: the timeline holds ${n})` : T.total > n ? ` (timeline holds the first ${n})` : '');
  }

  function show(ev: MouseEvent) {
    const r = canvas.getBoundingClientRect();
    const px = ev.clientX - r.left, py = ev.clientY - r.top;
    const h = hits.find((b) => px >= b.x0 - 1 && px <= b.x1 + 1 && py >= b.y0 && py <= b.y1);
    if (!h) return;
    const i = h.i, ty = T.type[i];
    const lat = T.end[i] < 0 ? 'pending' : `${((T.end[i] - T.start[i]) * 1000).toFixed(2)} ms`;
    detail.textContent = `process ${T.proc[i]} · ${T.fs[T.f[i]]} · ${OUTCOME_MARK[ty]} ${OUTCOME_NAME[ty]} · ${fmtS(T.start[i])} → ${T.end[i] < 0 ? '…' : fmtS(T.end[i])} (${lat}) · ${T.detail[i]}`;
  }
  canvas.addEventListener('click', show);
  canvas.addEventListener('mousemove', show);
  // keyboard: focus the timeline, ← / → move the window by one width
  canvas.tabIndex = 0;
  canvas.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    root.querySelector<HTMLButtonElement>(e.key === 'ArrowLeft' ? '#tl-prev' : '#tl-next')!.click();
  });
  slider.addEventListener('input', draw);
  widthSel.addEventListener('change', draw);
  root.querySelector('#tl-prev')!.addEventListener('click', () => { slider.value = String(Math.max(0, Number(slider.value) - Number(widthSel.value))); draw(); });
  root.querySelector('#tl-next')!.addEventListener('click', () => { slider.value = String(Number(slider.value) + Number(widthSel.value)); draw(); });
  slider.value = '0';
  draw();
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-6)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function on(id: string, f: (el: HTMLElement) => void) {
  const el = document.getElementById(id);
  if (el) f(el);
}

on('timeline', timeline);
on('plot-latency', latencyChart);
on('plot-quantiles', quantileChart);
on('plot-throughput', throughputChart);
on('plot-bank', bankChart);
on('plot-convergence', convergenceChart);
document.querySelectorAll<HTMLButtonElement>('button[data-copy]').forEach((b) => b.addEventListener('click', () => {
  const t = document.getElementById(b.dataset.copy!)!.textContent ?? '';
  navigator.clipboard?.writeText(t).then(() => { b.textContent = 'copied'; }, () => { b.textContent = 'select and copy'; });
}));
window.__report.ready = true;
