/**
 * What a client op costs once encoded, checked before the op is committed (finding: a 70,000-key
 * object took a seq, then failed to encode, and every later op of that node waited for it forever).
 * The op is packed exactly as the log and the wire pack it and unpacked again; it is admitted only
 * if its value is within the size cap and comes back identical, every field (id included) compared
 * as it was made: the id is not hashed again, since equal fields give the equal id.
 */
import { Packr } from 'msgpackr';
import { opShapeFromWire, opToWire, type Op } from '../core/ops.ts';
import { defaultAdmit } from '../core/replica.ts';
import type { TxnPayload } from '../core/txn.ts';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

/** encoded sizes, remembered: frames are cut by bytes and an op is measured once */
const sizes = new WeakMap<Op, number>();

export function encodedOpBytes(op: Op): number {
  let n = sizes.get(op);
  if (n === undefined) { n = packr.pack(opToWire(op)).length; sizes.set(op, n); }
  return n;
}

export function makeAdmit(maxValueBytes: number): (op: Op) => { status: number; error: string } | null {
  return (op) => {
    const pure = defaultAdmit(op);
    if (pure) return pure;
    const sent = opToWire(op);
    let packed: Buffer;
    try {
      packed = packr.pack(sent);
      // the op holds the value, so only an op over the cap can hold a value over it: the value
      // alone is packed (measured) only then, not for every write
      if (op.kind !== 'transfer' && packed.length > maxValueBytes) {
        // a txn's value is everything it writes
        const value = op.kind === 'txn' ? (op.payload as TxnPayload).writes.map((w) => w[2]) : (op.payload as { value?: unknown }).value;
        const valueBytes = packr.pack(value).length;
        if (valueBytes > maxValueBytes) return { status: 413, error: `value is ${valueBytes} bytes encoded, over the ${maxValueBytes}-byte limit (--max-value-bytes)` };
      }
    } catch (e) {
      return { status: 400, error: `value cannot be encoded for storage and replication: ${(e as Error).message.slice(0, 120)}` };
    }
    sizes.set(op, packed.length);
    const back = opShapeFromWire(packr.unpack(packed));
    if (typeof back === 'string') return { status: 400, error: `value does not survive encoding: ${back}` };
    const got = opToWire(back);
    const field = sent.findIndex((f, i) => !sameValue(f, got[i]));
    if (WIRE_FIELDS[field] === 'payload') return { status: 400, error: 'value does not survive encoding unchanged (msgpack would alter it)' };
    if (field >= 0) return { status: 400, error: `value does not survive encoding: the operation's ${WIRE_FIELDS[field]} comes back different` };
    return null;
  };
}

/** the fields of a WireOp, by position, for the error */
const WIRE_FIELDS = ['id', 'origin', 'seq', 'ts', 'version vector', 'kind', 'key', 'payload'] as const;

/**
 * a and b are the same JSON-like value: equal primitives, arrays of the same values (and holes),
 * objects with the same keys in the same order holding the same values. Stricter than equal
 * JSON.stringify (an undefined member counts) and than equal canonical JSON (key order counts), so
 * two ops with the same fields by this test have the same id; cheaper than either, as it builds no
 * string.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return false;
    // a hole is not an undefined element: msgpack turns one into the other, and canonical JSON tells them apart
    for (let i = 0; i < a.length; i++) if ((i in a) !== (i in bs) || !sameValue(a[i], bs[i])) return false;
    return true;
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameValue((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!])) return false;
  }
  return true;
}
