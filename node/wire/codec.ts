/**
 * Message payloads: msgpack (msgpackr, plain maps, no records extension) with short keys, ops in
 * their positional form. Decoding validates every field and returns an error string naming the
 * problem instead of throwing: a peer's bytes are untrusted input.
 */
import { Packr } from 'msgpackr';
import { DeltaPhase, type Message } from '../core/messages.ts';
import { DIGEST_BYTES, FANOUT } from '../core/merkle.ts';
import { opFromWire, opToWire, type Op } from '../core/ops.ts';
import { snapshotFromPlain, snapshotToPlain } from '../core/snapshot.ts';
import type { OriginHoldings } from '../core/version-vector.ts';
import { encodeFrame, FrameType, frameTypeName } from './frame.ts';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

function holdingsToWire(h: Record<string, OriginHoldings>): Record<string, [number, number[] | null]> {
  const out: Record<string, [number, number[] | null]> = {};
  for (const [k, v] of Object.entries(h)) out[k] = [v.max, v.holes ?? null];
  return out;
}

/** op ids travel in bulk (Merkle leaves, want lists) as packed 16-byte binary, not 32-char hex */
function idsToBin(ids: readonly string[]): Buffer { return Buffer.from(ids.join(''), 'hex'); }
function idsFromBin(b: Uint8Array): string[] | null {
  if (b.length % 16 !== 0) return null;
  const hex = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  const out: string[] = [];
  for (let i = 0; i < hex.length; i += 32) out.push(hex.slice(i, i + 32));
  return out;
}

export function messageToPayload(m: Message): unknown {
  switch (m.type) {
    case 'JOIN': return { m: m.members, r: m.r };
    case 'ID': return m.challenge ? { id: m.id, addr: m.addr, c: m.challenge } : { id: m.id, addr: m.addr };
    case 'ACK_ID': return m.challenge && m.mac ? { id: m.id, c: m.challenge, m: m.mac } : { id: m.id };
    case 'AUTH': return { m: m.mac };
    case 'PING': case 'PONG': return { n: m.n };
    case 'PUSH': return { ops: m.ops.map(opToWire) };
    case 'VV': return { s: m.s, h: holdingsToWire(m.holdings) };
    case 'SYNC': return m.leaves ? { s: m.s, r: m.r, l: m.level, i: m.idx, d: m.digests, lv: m.leaves.map(([leaf, ids]) => [leaf, idsToBin(ids)]) } : { s: m.s, r: m.r, l: m.level, i: m.idx, d: m.digests };
    case 'DELTA_SYNC': {
      const o: Record<string, unknown> = { s: m.s, p: m.phase, ops: m.ops.map(opToWire) };
      if (m.holdings) o.h = holdingsToWire(m.holdings);
      if (m.want) o.w = idsToBin(m.want);
      return o;
    }
    case 'SNAPSHOT': return { s: m.s, sn: snapshotToPlain(m.snapshot) };
  }
}

export function encodeMessage(m: Message): Buffer {
  return encodeFrame(FrameType[m.type], packr.pack(messageToPayload(m)));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isBin = (v: unknown, min: number, max: number): v is Uint8Array => v instanceof Uint8Array && v.length >= min && v.length <= max;

function opsFrom(v: unknown): Op[] | string {
  if (!Array.isArray(v)) return 'ops is not an array';
  const out: Op[] = [];
  for (const w of v) {
    const op = opFromWire(w);
    if (typeof op === 'string') return op;
    out.push(op);
  }
  return out;
}

function holdingsFrom(v: unknown): Record<string, OriginHoldings> | string {
  if (!isObj(v)) return 'holdings is not a map';
  const out: Record<string, OriginHoldings> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!Array.isArray(x) || x.length !== 2 || !isNat(x[0])) return `holdings for ${k} is not [max, holes]`;
    if (x[1] === null) { out[k] = { max: x[0] }; continue; }
    if (!Array.isArray(x[1]) || x[1].length > 65536 || !x[1].every(isNat)) return `holdings for ${k} has a bad hole list`;
    out[k] = { max: x[0], holes: x[1] as number[] };
  }
  return out;
}

/** decode and validate one frame's payload; a string result names what is wrong */
export function decodeMessage(type: number, payload: Uint8Array): Message | string {
  const name = frameTypeName(type);
  if (!name) return `unknown frame type ${type}`;
  let v: unknown;
  try { v = packr.unpack(payload); } catch (e) { return `${name} payload is not valid msgpack (${(e as Error).message.slice(0, 80)})`; }
  if (!isObj(v)) return `${name} payload is not a map`;
  switch (name) {
    case 'JOIN': {
      if (!Array.isArray(v.m) || !v.m.every((e) => Array.isArray(e) && e.length === 2 && isStr(e[0], 256) && isStr(e[1], 256))) return 'JOIN members must be [id, addr] pairs';
      return { type: 'JOIN', members: v.m as [string, string][], r: v.r === true };
    }
    case 'ID': {
      if (!isStr(v.id, 256) || v.id === '' || !isStr(v.addr, 256)) return 'ID needs string id and addr';
      if (v.c !== undefined && !isBin(v.c, 16, 64)) return 'ID challenge must be 16..64 bytes';
      const m: Message = { type: 'ID', id: v.id, addr: v.addr };
      if (v.c !== undefined) m.challenge = v.c as Uint8Array;
      return m;
    }
    case 'ACK_ID': {
      if (!isStr(v.id, 256) || v.id === '') return 'ACK_ID needs a string id';
      if ((v.c !== undefined || v.m !== undefined) && !(isBin(v.c, 16, 64) && isBin(v.m, 32, 32))) return 'ACK_ID challenge must be 16..64 bytes and mac 32 bytes';
      const m: Message = { type: 'ACK_ID', id: v.id };
      if (v.c !== undefined) { m.challenge = v.c as Uint8Array; m.mac = v.m as Uint8Array; }
      return m;
    }
    case 'AUTH':
      if (!isBin(v.m, 32, 32)) return 'AUTH needs a 32-byte mac';
      return { type: 'AUTH', mac: v.m as Uint8Array };
    case 'PING': case 'PONG':
      if (typeof v.n !== 'number' || !Number.isFinite(v.n)) return `${name} needs a number n`;
      return { type: name, n: v.n };
    case 'PUSH': {
      const ops = opsFrom(v.ops);
      return typeof ops === 'string' ? `PUSH: ${ops}` : { type: 'PUSH', ops };
    }
    case 'VV': {
      if (!isNat(v.s)) return 'VV needs a session number s';
      const h = holdingsFrom(v.h);
      return typeof h === 'string' ? `VV: ${h}` : { type: 'VV', s: v.s, holdings: h };
    }
    case 'SYNC': {
      if (!isNat(v.s) || !isNat(v.l) || v.l > 16) return 'SYNC needs session s and level l';
      if (!Array.isArray(v.i) || !v.i.every(isNat)) return 'SYNC idx must be a list of integers';
      if (!(v.d instanceof Uint8Array) || ![0, v.i.length * DIGEST_BYTES, v.i.length * FANOUT * DIGEST_BYTES].includes(v.d.length)) return `SYNC digests must be empty, ${DIGEST_BYTES} bytes per index, or ${FANOUT} such digests per index`;
      const m: Message = { type: 'SYNC', s: v.s, r: v.r === true, level: v.l, idx: v.i as number[], digests: v.d };
      if (v.lv !== undefined) {
        if (!Array.isArray(v.lv)) return 'SYNC leaves must be a list';
        const leaves: [number, string[]][] = [];
        for (const e of v.lv) {
          const ids = Array.isArray(e) && e.length === 2 && isNat(e[0]) && e[1] instanceof Uint8Array ? idsFromBin(e[1]) : null;
          if (!ids) return 'SYNC leaves must be [index, packed 16-byte op ids] pairs';
          leaves.push([e[0] as number, ids]);
        }
        m.leaves = leaves;
      }
      return m;
    }
    case 'DELTA_SYNC': {
      if (!isNat(v.s)) return 'DELTA_SYNC needs a session number s';
      if (!isNat(v.p) || v.p > DeltaPhase.Final) return 'DELTA_SYNC phase must be 0..3';
      const ops = opsFrom(v.ops);
      if (typeof ops === 'string') return `DELTA_SYNC: ${ops}`;
      const m: Message = { type: 'DELTA_SYNC', s: v.s, phase: v.p as DeltaPhase, ops };
      if (v.h !== undefined) { const h = holdingsFrom(v.h); if (typeof h === 'string') return `DELTA_SYNC: ${h}`; m.holdings = h; }
      if (v.w !== undefined) {
        const want = v.w instanceof Uint8Array ? idsFromBin(v.w) : null;
        if (!want) return 'DELTA_SYNC want must be packed 16-byte op ids';
        m.want = want;
      }
      return m;
    }
    case 'SNAPSHOT': {
      if (!isNat(v.s)) return 'SNAPSHOT needs a session number s';
      const snapshot = snapshotFromPlain(v.sn);
      return typeof snapshot === 'string' ? `SNAPSHOT: ${snapshot}` : { type: 'SNAPSHOT', s: v.s, snapshot };
    }
  }
}
