/**
 * An operation: the unit of maep's replicated, append-only log. Every write a client makes becomes
 * one operation; the node's state is a deterministic fold over the set of visible operations.
 * The id is a content hash, so the same operation has the same id on every replica and a set of
 * operations can be compared by ids alone (Merkle tree, dedup).
 */
import { createHash, hash } from 'node:crypto';
import type { VersionVector } from './version-vector.ts';
import { txnPayloadProblem } from './txn.ts';

/** `put` and `cas` write a register, `append` a per-key history, `transfer` the bank ledger,
 *  `txn` the writes of one transaction (core/txn.ts). */
export type OpKind = 'put' | 'cas' | 'append' | 'transfer' | 'txn';
export const OP_KINDS: readonly OpKind[] = ['put', 'cas', 'append', 'transfer', 'txn'];

export interface TransferPayload { from: number; to: number; amount: number }
export interface AppendPayload { value: unknown; links: string[] }
export interface PutPayload { value: unknown }

export interface Op {
  /** 32 hex chars: first 128 bits of sha256 over the other fields */
  id: string;
  origin: string;
  /** 1, 2, 3... per origin */
  seq: number;
  /** the origin's wall clock (ms since epoch) when it created the op */
  ts: number;
  /** what the origin had seen (visible) when it created the op; vv[origin] = seq - 1 */
  vv: VersionVector;
  kind: OpKind;
  key: string;
  payload: unknown;
}

export type OpFields = Omit<Op, 'id'>;

/** Stable JSON: object keys sorted, so equal values hash and compare equal on every node. */
export function canonicalJson(value: unknown): string {
  // loops, not map/join, and numbers without JSON.stringify (same text for finite ones): every op
  // id is computed from this, so it is on the hot path of every write
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // a hole stays empty, as Array.prototype.join writes it
      if (i in value) out += canonicalJson(value[i]);
    }
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = sortKeys(Object.keys(obj));
  out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += JSON.stringify(keys[i]) + ':' + canonicalJson(obj[keys[i]!]);
  }
  return out + '}';
}

/**
 * Object keys in the order of Array.prototype.sort() (UTF-16 code units; keys are distinct). A
 * version vector or a payload has a handful: an insertion sort in place, where sort() would
 * allocate a work array for every object of every op id.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) { keys[j + 1] = keys[j]!; j--; }
    keys[j + 1] = k;
  }
  return keys;
}

/**
 * The id: first 128 bits of sha256 over the canonical JSON of the other fields. Canonical (sorted
 * keys), so every receiver recomputes it from the content it decoded and rejects an op whose id
 * does not match: one id can never stand for two different contents on two replicas.
 */
export function opId(f: OpFields): string {
  // the text of canonicalJson([origin, seq, ts, vv, kind, key, payload]), without the array
  const text = '[' + canonicalJson(f.origin) + ',' + canonicalJson(f.seq) + ',' + canonicalJson(f.ts) + ',' + canonicalJson(f.vv)
    + ',' + canonicalJson(f.kind) + ',' + canonicalJson(f.key) + ',' + canonicalJson(f.payload) + ']';
  return sha256Hex(text).slice(0, 32);
}

/** the one-shot crypto.hash (Node 20.12+) where there is one: about half the cost of a Hash object */
const sha256Hex: (text: string) => string = typeof hash === 'function'
  ? (text) => hash('sha256', text, 'hex')
  : (text) => createHash('sha256').update(text).digest('hex');

/** most keys one object may have: msgpackr cannot encode a map with more (it throws) */
export const MAX_OBJECT_KEYS = 65_535;

/**
 * Why a client value would not come back exactly as it went in (JSON → msgpack → disk → peer →
 * restart), or null if it will. msgpackr renames a `__proto__` key, replaces lone surrogates
 * (UTF-8 cannot hold them) and cannot pack a map over 65,535 keys; such values are refused with a
 * 400 rather than stored differently on different replicas.
 */
export function valueProblem(value: unknown): string | null {
  return valueProblemAt(value, 'value');
}

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// module-level, not a closure per call: tsx names every closure it creates, at a cost on each write
function valueProblemAt(v: unknown, path: string): string | null {
  if (typeof v === 'string') return LONE.test(v) ? `the string at ${path} holds a lone UTF-16 surrogate, which is not valid Unicode and cannot be stored` : null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `the number at ${path} is not finite`;
  if (v === null || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) { const p = valueProblemAt(v[i], `${path}[${i}]`); if (p) return p; }
    return null;
  }
  const keys = Object.keys(v);
  if (keys.length > MAX_OBJECT_KEYS) return `the object at ${path} has ${keys.length} keys; the limit is ${MAX_OBJECT_KEYS}`;
  for (const k of keys) {
    const at = `${path}.${JSON.stringify(k).slice(0, 40)}`;
    if (k === '__proto__') return `the object at ${path} has a "__proto__" key, which cannot be stored`;
    if (LONE.test(k)) return `a key at ${at} holds a lone UTF-16 surrogate, which is not valid Unicode and cannot be stored`;
    const p = valueProblemAt((v as Record<string, unknown>)[k], at);
    if (p) return p;
  }
  return null;
}

export function makeOp(f: OpFields): Op {
  return { id: opId(f), ...f };
}

/** Compact positional form used on the wire and on disk. */
export type WireOp = [string, string, number, number, Record<string, number>, OpKind, string, unknown];

export function opToWire(op: Op): WireOp {
  return [op.id, op.origin, op.seq, op.ts, op.vv, op.kind, op.key, op.payload];
}

export const ID_RE = /^[0-9a-f]{32}$/;
/** the node id rule of --id (config.ts) */
export const ORIGIN_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_JSON_DEPTH = 64;

/** Depth of a JSON-like value, stopping early once it exceeds `limit`. */
export function jsonDepthExceeds(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  return depthExceeds(value, limit);
}

function depthExceeds(v: unknown, left: number): boolean {
  if (left < 0) return true;
  if (v === null || typeof v !== 'object') return false;
  for (const x of Array.isArray(v) ? v : Object.values(v as object)) if (depthExceeds(x, left - 1)) return true;
  return false;
}

export function isSafeNat(n: unknown): n is number { return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0; }

/**
 * Parse and validate an operation from its positional form. Returns an error string (naming the
 * problem) instead of throwing, because the input comes from peers or disk and may be garbage.
 */
export function opFromWire(w: unknown): Op | string {
  const op = opShapeFromWire(w);
  if (typeof op === 'string') return op;
  // content hash: a forged or corrupted op cannot pass for another one with the same id
  if (opId(op) !== op.id) return 'operation id does not match its content';
  return op;
}

/**
 * opFromWire without the id check: every field well-formed, the id not yet compared with the
 * content. Only for an op whose content is compared field by field with the one it was made from
 * (admission's round trip); anything from a peer or a disk goes through opFromWire.
 */
export function opShapeFromWire(w: unknown): Op | string {
  if (!Array.isArray(w) || w.length !== 8) return 'operation is not an 8-element array';
  const [id, origin, seq, ts, vv, kind, key, payload] = w as unknown[];
  if (typeof id !== 'string' || !ID_RE.test(id)) return 'operation id is not 32 hex chars';
  if (typeof origin !== 'string' || !ORIGIN_RE.test(origin)) return 'operation origin is not a node id';
  if (!isSafeNat(seq) || seq < 1) return 'operation seq is not a positive integer';
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return 'operation timestamp is not a number';
  if (vv === null || typeof vv !== 'object' || Array.isArray(vv)) return 'operation version vector is not a map';
  for (const c of Object.values(vv as object)) if (!isSafeNat(c)) return 'operation version vector has a non-integer count';
  if (typeof kind !== 'string' || !(OP_KINDS as readonly string[]).includes(kind)) return 'operation kind is unknown';
  if (typeof key !== 'string' || key.length > 4096) return 'operation key is not a string';
  if (jsonDepthExceeds(payload)) return 'operation payload is nested too deeply';
  const p = payload as Record<string, unknown> | null;
  if (p === null || typeof p !== 'object') return 'operation payload is not an object';
  if (kind === 'transfer') {
    if (!isSafeNat(p.from) || !isSafeNat(p.to) || !isSafeNat(p.amount)) return 'transfer payload needs integer from, to, amount';
  } else if (kind === 'append') {
    if (!Array.isArray(p.links) || !p.links.every((l) => typeof l === 'string' && ID_RE.test(l))) return 'append payload needs a links array of op ids';
  } else if (kind === 'txn') {
    const problem = txnPayloadProblem(p);
    if (problem) return problem;
  }
  return { id, origin, seq, ts, vv: vv as VersionVector, kind: kind as OpKind, key, payload };
}
