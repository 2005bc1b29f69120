/**
 * Fault periods from process "nemesis" ops: start-X opens a period of kind X, stop-X closes the
 * oldest open period of that kind, "heal" closes everything. Pure.
 */
import type { OpPair } from './pairs.ts';

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
  /** seconds; when every fault was healed (start of recovery), null if no heal op */
  healAt: number | null;
}

const NS = 1e9;

export function faultPeriods(pairs: readonly OpPair[], endNs: number): Faults {
  const periods: FaultPeriod[] = [];
  const open = new Map<string, FaultPeriod[]>();
  let healAt: number | null = null;
  const closeAll = (t: number) => {
    for (const list of open.values()) for (const p of list) { p.end = Math.max(p.start, t); p.open = false; }
    open.clear();
  };
  const nem = pairs.filter((p) => p.process === 'nemesis').sort((a, b) => a.start - b.start);
  for (const p of nem) {
    const done = (p.end ?? p.start) / NS;
    if (p.f.startsWith('start-')) {
      const kind = p.f.slice(6);
      const period: FaultPeriod = { kind, start: p.start / NS, end: endNs / NS, label: describeFault(p.value ?? p.invokeValue, p.invokeValue), open: true };
      periods.push(period);
      const l = open.get(kind) ?? []; l.push(period); open.set(kind, l);
    } else if (p.f.startsWith('stop-')) {
      const l = open.get(p.f.slice(5));
      const period = l?.shift();
      if (period) { period.end = Math.max(period.start, done); period.open = false; }
    } else if (p.f === 'heal') {
      healAt = p.start / NS;
      closeAll(done);
    }
  }
  return { periods, healAt };
}

/** A short human label for a fault op's value, whatever shape the nemesis gave it. */
export function describeFault(value: unknown, fallback?: unknown): string {
  const v = value ?? fallback;
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
