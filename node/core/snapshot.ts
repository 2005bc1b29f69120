/**
 * A snapshot: what compaction keeps of the ops it folds away. Every op of origin o with seq ≤
 * frontier[o] is folded into `state` and counted in `merkle` (the compacted leaves' digests), and is
 * no longer held one by one. The same plain form travels in a SNAPSHOT message (to a peer that
 * lacks ops this node compacted) and sits in DIR/snapshot.bin; both come from untrusted bytes, so
 * `snapshotFromPlain` checks every field and names what is wrong instead of throwing.
 */
import type { StateSnapshot } from './state.ts';
import type { VersionVector } from './version-vector.ts';
import { ID_RE, ORIGIN_RE, isSafeNat } from './ops.ts';

export interface Snapshot {
  /** per origin, the compacted prefix: seqs 1..frontier[origin] are folded in */
  frontier: VersionVector;
  state: StateSnapshot;
  merkleDepth: number;
  /** CompactedDigests.packed(): per origin, [leaf, xor ×4, count] per leaf */
  merkle: [string, Uint32Array][];
}

/** ops a snapshot stands for */
export function frontierOps(f: VersionVector): number {
  let n = 0;
  for (const k in f) n += f[k]!;
  return n;
}

/** does `a` cover `b` (a[o] ≥ b[o] for every origin)? */
export function covers(a: VersionVector, b: VersionVector): boolean {
  for (const k in b) if ((a[k] ?? 0) < b[k]!) return false;
  return true;
}

/** msgpack-able form: {f, st, d, m} with each origin's Merkle words as big-endian bytes */
export function snapshotToPlain(s: Snapshot): Record<string, unknown> {
  const m = s.merkle.map(([o, words]) => {
    const b = new Uint8Array(words.length * 4);
    const dv = new DataView(b.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w));
    return [o, b];
  });
  return { f: s.frontier, st: s.state, d: s.merkleDepth, m };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
const isNat = isSafeNat;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown): v is string => typeof v === 'string' && ID_RE.test(v);
const isOrigin = (v: unknown): v is string => typeof v === 'string' && ORIGIN_RE.test(v);
const isTs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function posProblem(p: unknown): string | null {
  if (!isObj(p)) return 'is not a map';
  return isNat(p.n) && isTs(p.ts) && isOrigin(p.origin) && isNat(p.seq) && isId(p.id) && isNat(p.i) ? null : 'is not {n, ts, origin, seq, id, i}';
}

function stateProblem(st: unknown): string | null {
  if (!isObj(st)) return 'the state is not a map';
  if (!Array.isArray(st.balances) || !st.balances.every(isInt)) return 'the balances are not a list of integers';
  if (!Array.isArray(st.bank) || !st.bank.every((b) => Array.isArray(b) && b.length === 2 && isOrigin(b[0]) && Array.isArray(b[1]) && b[1].length === (st.balances as unknown[]).length && b[1].every(isInt))) return 'the bank moves are not [origin, one integer per account] pairs';
  if (!Array.isArray(st.registers)) return 'the registers are not a list';
  for (const r of st.registers) {
    if (!Array.isArray(r) || r.length !== 6 || !isStr(r[0]) || !isTs(r[2]) || !isOrigin(r[3]) || !isNat(r[4]) || !isId(r[5])) return 'a register is not [key, value, ts, origin, seq, id]';
  }
  if (!Array.isArray(st.histories)) return 'the histories are not a list';
  for (const h of st.histories) {
    if (!Array.isArray(h) || h.length !== 2 || !isStr(h[0]) || !Array.isArray(h[1])) return 'a history is not [key, entries]';
    for (const e of h[1] as unknown[]) {
      if (!Array.isArray(e) || e.length !== 6 || !isId(e[1]) || !isOrigin(e[2]) || !isNat(e[3]) || !isTs(e[4]) || !Array.isArray(e[5]) || !e[5].every(isId)) return `an entry of history ${JSON.stringify(h[0]).slice(0, 60)} is not [value, hash, origin, seq, ts, links]`;
    }
  }
  const t = st.txns;
  if (!isObj(t) || !Array.isArray(t.lists) || !Array.isArray(t.regs)) return 'the txn state is not {lists, regs}';
  for (const l of t.lists) {
    if (!Array.isArray(l) || l.length !== 2 || !isStr(l[0]) || !Array.isArray(l[1])) return 'a txn list is not [key, elements]';
    for (const e of l[1] as unknown[]) { const p = Array.isArray(e) && e.length === 2 ? posProblem(e[0]) : 'is not [pos, value]'; if (p) return `an element of txn list ${JSON.stringify(l[0]).slice(0, 60)} ${p}`; }
  }
  for (const r of t.regs) {
    const p = Array.isArray(r) && r.length === 2 && isStr(r[0]) && Array.isArray(r[1]) && r[1].length === 2 ? posProblem(r[1][0]) : 'is not [key, [pos, value]]';
    if (p) return `a txn register ${p}`;
  }
  return null;
}

/** a snapshot from untrusted plain data, or what is wrong with it */
export function snapshotFromPlain(v: unknown): Snapshot | string {
  if (!isObj(v)) return 'the snapshot is not a map';
  if (!isObj(v.f)) return 'the snapshot frontier is not a map';
  for (const [o, n] of Object.entries(v.f)) if (!isOrigin(o) || !isNat(n)) return `the snapshot frontier entry ${JSON.stringify(o).slice(0, 70)} is not origin → count`;
  if (!isNat(v.d) || v.d < 1 || v.d > 6) return 'the snapshot Merkle depth is not 1..6';
  const problem = stateProblem(v.st);
  if (problem) return `in the snapshot, ${problem}`;
  if (!Array.isArray(v.m)) return 'the snapshot Merkle leaves are not a list';
  const merkle: [string, Uint32Array][] = [];
  for (const e of v.m) {
    if (!Array.isArray(e) || e.length !== 2 || !isOrigin(e[0]) || !(e[1] instanceof Uint8Array) || e[1].length % 24 !== 0) return 'the snapshot Merkle leaves are not [origin, 24-byte entries] pairs';
    const b = e[1], dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const words = new Uint32Array(b.length / 4);
    for (let i = 0; i < words.length; i++) words[i] = dv.getUint32(i * 4);
    for (let at = 0; at < words.length; at += 6) if (words[at]! >= 16 ** v.d) return `the snapshot Merkle leaf ${words[at]} is outside a tree of depth ${v.d}`;
    merkle.push([e[0], words]);
  }
  return { frontier: v.f as VersionVector, state: v.st as unknown as StateSnapshot, merkleDepth: v.d, merkle };
}
