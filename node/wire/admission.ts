/**
 * What a client op costs once encoded, checked before the op is committed (finding: a 70,000-key
 * object took a seq, then failed to encode, and every later op of that node waited for it forever).
 * The op is packed exactly as the log and the wire pack it and unpacked again; it is admitted only
 * if its value is within the size cap and comes back identical, id included.
 */
import { Packr } from 'msgpackr';
import { opFromWire, opToWire, type Op } from '../core/ops.ts';
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
    // a txn's value is everything it writes
    const value = op.kind === 'txn' ? (op.payload as TxnPayload).writes.map((w) => w[2]) : (op.payload as { value?: unknown }).value;
    let packed: Buffer;
    try {
      if (op.kind !== 'transfer') {
        const valueBytes = packr.pack(value).length;
        if (valueBytes > maxValueBytes) return { status: 413, error: `value is ${valueBytes} bytes encoded, over the ${maxValueBytes}-byte limit (--max-value-bytes)` };
      }
      packed = packr.pack(opToWire(op));
    } catch (e) {
      return { status: 400, error: `value cannot be encoded for storage and replication: ${(e as Error).message.slice(0, 120)}` };
    }
    sizes.set(op, packed.length);
    const back = opFromWire(packr.unpack(packed));
    if (typeof back === 'string') return { status: 400, error: `value does not survive encoding: ${back}` };
    if (JSON.stringify(back.payload) !== JSON.stringify(op.payload)) return { status: 400, error: 'value does not survive encoding unchanged (msgpack would alter it)' };
    return null;
  };
}
