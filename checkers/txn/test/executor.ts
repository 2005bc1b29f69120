import type { Op } from '../../../api/history.ts';
import { Rng } from '../../../api/rng.ts';

/**
 * A seeded in-memory database that runs txns one at a time (strict serializable by construction:
 * each txn takes effect atomically at its completion), with `concurrency` client processes whose
 * txns overlap in the history. Used by the property tests and `npm run bench -- txn`.
 * - list-append: ["append", k, v] / ["r", k, [v ...]]; rw-register: ["w", k, v] / ["r", k, v | nil].
 * - keys rotate: a key retires after `appendsPerKey` writes and a fresh one takes its place, so reads
 *   stay short however long the history is.
 * - some txns fail (no effect) or end info (took effect or not, by a coin flip); an info process is
 *   retired and its worker continues as process + concurrency, as in the harness.
 */
export interface ExecOptions {
  seed: number;
  txns: number;
  kind?: 'list-append' | 'rw-register';
  concurrency?: number;
  keys?: number;
  maxTxnLength?: number;
  readFraction?: number;
  appendsPerKey?: number;
  failRate?: number;
  infoRate?: number;
}

type M = [string, number, unknown];

export interface Executed {
  ops: Op[];
  /** the true final state: list-append lists or register values, per key */
  state: Map<number, number[] | number | null>;
  /** keys still in rotation at the end */
  activeKeys: number[];
  kind: 'list-append' | 'rw-register';
  nextProcess: number;
}

export function serializableHistory(o: ExecOptions): Executed {
  const rng = new Rng(o.seed);
  const kind = o.kind ?? 'list-append';
  const conc = o.concurrency ?? 5;
  const nKeys = o.keys ?? 8;
  const maxLen = o.maxTxnLength ?? 4;
  const readFrac = o.readFraction ?? 0.5;
  const perKey = o.appendsPerKey ?? 32;
  const failRate = o.failRate ?? 0.02;
  const infoRate = o.infoRate ?? 0.01;
  const lists = new Map<number, number[]>();
  const regs = new Map<number, number>();
  const writes = new Map<number, number>();
  const active: number[] = [];
  let nextKey = 0;
  for (let i = 0; i < nKeys; i++) active.push(nextKey++);
  let nextValue = 1;
  const ops: Op[] = [];
  const proc = Array.from({ length: conc }, (_, i) => i);
  const pending: (M[] | null)[] = new Array(conc).fill(null);
  let started = 0, done = 0;
  const push = (type: Op['type'], process: number, value: unknown) => ops.push({ index: ops.length, time: ops.length * 1000, type, process, f: 'txn', value });

  const gen = (): M[] => {
    const len = rng.int(1, maxLen);
    const out: M[] = [];
    for (let i = 0; i < len; i++) {
      const slot = rng.int(0, active.length - 1);
      const k = active[slot]!;
      if (rng.next() < readFrac) { out.push(['r', k, null]); continue; }
      out.push([kind === 'list-append' ? 'append' : 'w', k, nextValue++]);
      const n = (writes.get(k) ?? 0) + 1;
      writes.set(k, n);
      if (n >= perKey) active[slot] = nextKey++;
    }
    return out;
  };
  const apply = (t: M[]): M[] => t.map(([f, k, v]) => {
    if (f === 'r') {
      if (kind === 'list-append') { const l = lists.get(k); return ['r', k, l ? l.slice() : []] as M; }
      return ['r', k, regs.get(k) ?? null] as M;
    }
    if (kind === 'list-append') { let l = lists.get(k); if (!l) { l = []; lists.set(k, l); } l.push(v as number); }
    else regs.set(k, v as number);
    return [f, k, v] as M;
  });

  while (done < o.txns) {
    const w = rng.int(0, conc - 1);
    const t = pending[w];
    if (!t) {
      if (started >= o.txns) continue;
      const g = gen();
      pending[w] = g; started++;
      push('invoke', proc[w]!, g);
      continue;
    }
    pending[w] = null; done++;
    const x = rng.next();
    if (x < failRate) push('fail', proc[w]!, t);
    else if (x < failRate + infoRate) {
      if (rng.next() < 0.5) apply(t);
      push('info', proc[w]!, t);
      proc[w]! += conc;
    } else push('ok', proc[w]!, apply(t));
  }
  const state = new Map<number, number[] | number | null>();
  for (let k = 0; k < nextKey; k++) state.set(k, kind === 'list-append' ? (lists.get(k) ?? []).slice() : (regs.get(k) ?? null));
  return { ops, state, activeKeys: active.slice(), kind, nextProcess: Math.max(...proc) + 1 };
}

/** The anomalies `injectAnomaly` can plant (list-append). */
export const INJECTABLE = ['G0', 'G1a', 'G1b', 'G1c', 'G-single', 'G2-item', 'G-single-realtime', 'internal', 'duplicate-appends', 'garbage-read', 'incompatible-order'] as const;
export type Injectable = (typeof INJECTABLE)[number];

/**
 * A list-append history with one planted anomaly: a few txns appended after the executor's history,
 * on two of its keys (k1, k2) and consistent with their true final state L1, L2, except for the one
 * planted fault. Fresh values are negative so they never collide with the executor's.
 */
export function injectAnomaly(base: Executed, kind: Injectable, keyPick = 0): Op[] {
  if (base.kind !== 'list-append') throw new Error('injectAnomaly plants list-append anomalies');
  const ops = base.ops.slice();
  const keys = [...base.state.keys()];
  const k1 = keys[keyPick % keys.length]!, k2 = keys[(keyPick + 1) % keys.length]!;
  const L1 = (base.state.get(k1) as number[]).slice(), L2 = (base.state.get(k2) as number[]).slice();
  let p = base.nextProcess + 1000;
  const P = () => p++;
  const push = (type: Op['type'], process: number, value: M[]) => ops.push({ index: ops.length, time: ops.length * 1000, type, process, f: 'txn', value });
  const inv = (t: M[]) => t.map(([f, k, v]) => [f, k, f === 'r' ? null : v] as M);
  const txn = (t: M[], type: 'ok' | 'fail' = 'ok') => { const q = P(); push('invoke', q, inv(t)); push(type, q, type === 'ok' ? t : inv(t)); };
  /** two txns whose invokes both come before either completion */
  const concurrent = (a: M[], b: M[]) => { const qa = P(), qb = P(); push('invoke', qa, inv(a)); push('invoke', qb, inv(b)); push('ok', qa, a); push('ok', qb, b); };
  const [a1, a2, b1, b2] = [-1, -2, -3, -4];
  switch (kind) {
    case 'G0':
      concurrent([['append', k1, a1], ['append', k2, b1]], [['append', k1, a2], ['append', k2, b2]]);
      txn([['r', k1, [...L1, a1, a2]], ['r', k2, [...L2, b2, b1]]]);
      break;
    case 'G1a':
      txn([['append', k1, a1]], 'fail');
      txn([['r', k1, [...L1, a1]]]);
      break;
    case 'G1b': {
      const qa = P(), qb = P();
      const w: M[] = [['append', k1, a1], ['append', k1, a2]];
      push('invoke', qa, w); push('invoke', qb, [['r', k1, null]]);
      push('ok', qb, [['r', k1, [...L1, a1]]]); push('ok', qa, w);
      break;
    }
    case 'G1c':
      concurrent([['append', k1, a1], ['r', k2, [...L2, b1]]], [['append', k2, b1], ['r', k1, [...L1, a1]]]);
      break;
    case 'G-single':
      concurrent([['r', k1, L1], ['r', k2, [...L2, b1]]], [['append', k1, a1], ['append', k2, b1]]);
      txn([['r', k1, [...L1, a1]]]);
      break;
    case 'G2-item':
      concurrent([['r', k1, L1], ['append', k2, b1]], [['r', k2, L2], ['append', k1, a1]]);
      txn([['r', k1, [...L1, a1]], ['r', k2, [...L2, b1]]]);
      break;
    case 'G-single-realtime':
      txn([['append', k1, a1]]);
      txn([['r', k1, L1]]);
      txn([['r', k1, [...L1, a1]]]);
      break;
    case 'internal':
      txn([['append', k1, a1], ['r', k1, L1]]);
      break;
    case 'duplicate-appends':
      txn([['append', k1, a1]]);
      txn([['r', k1, [...L1, a1, a1]]]);
      break;
    case 'garbage-read':
      txn([['r', k1, [...L1, -99]]]);
      break;
    case 'incompatible-order':
      concurrent([['append', k1, a1]], [['append', k1, a2]]);
      txn([['r', k1, [...L1, a1, a2]]]);
      txn([['r', k1, [...L1, a2, a1]]]);
      break;
  }
  return ops;
}
