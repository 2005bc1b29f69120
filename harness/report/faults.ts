/**
 * The fault table and plot shading: the checkers' fault intervals (checkers/timeline.ts) with a
 * label a person can read. Pure.
 */
import type { Timeline } from '../../checkers/index.ts';

export interface FaultPeriod {
  kind: string;
  /** seconds since test start */
  start: number;
  end: number;
  /** what was done to whom, e.g. "n1 n2 | n3 n4 n5" */
  label: string;
  /** true when the history ended before the fault was stopped */
  open: boolean;
}

export interface Faults {
  periods: FaultPeriod[];
  /** seconds; the heal marker (every fault healed, start of recovery), null if none */
  healAt: number | null;
}

export function faultPeriods(t: Pick<Timeline, 'faults' | 'healS'>): Faults {
  return {
    periods: t.faults.map((f) => ({ kind: f.f, start: f.start, end: f.stop, label: describeFault(f.value), open: f.open })),
    healAt: t.healS,
  };
}

/** A short human label for a fault op's value, whatever shape the nemesis gave it. */
export function describeFault(v: unknown): string {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string' || typeof x === 'number') ? v.join(' ') : short(v);
  const o = v as Record<string, unknown>;
  for (const k of ['description', 'desc', 'label', 'summary']) if (typeof o[k] === 'string') return o[k] as string;
  if (Array.isArray(o.components)) {
    const s = (o.components as unknown[]).map((c) => (Array.isArray(c) ? c.join(' ') : String(c))).join(' | ');
    return (typeof o.shape === 'string' ? o.shape + ': ' : '') + s + (typeof o.bridge === 'string' ? ` (bridge ${o.bridge})` : '');
  }
  for (const k of ['nodes', 'node', 'targets', 'target']) {
    const t = o[k];
    if (typeof t === 'string') return t + rest(o, k);
    if (Array.isArray(t)) return t.join(' ') + rest(o, k);
  }
  if (o.grudge && typeof o.grudge === 'object') {
    return Object.entries(o.grudge as Record<string, string[]>).map(([b, as]) => `${b}✕${(as ?? []).join(',')}`).join(' ');
  }
  return short(v);
}

function rest(o: Record<string, unknown>, skip: string): string {
  const extra = Object.entries(o).filter(([k, x]) => k !== skip && (typeof x === 'number' || typeof x === 'string'));
  return extra.length ? ' ' + extra.map(([k, x]) => `${k}=${x}`).join(' ') : '';
}

export function short(v: unknown, max = 80): string {
  let s: string;
  try { s = JSON.stringify(v) ?? String(v); } catch { s = String(v); }
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
