/**
 * The log's record format, pure: [u32 payload length][u32 crc32 of payload][payload], big-endian.
 *
 * Parsing keeps every complete, checksum-valid record. A bad record before the end does not end the
 * log: the parser resynchronises at the next position where a valid record starts and goes on, so
 * one flipped bit loses one record, not everything after it. Only an incomplete last record (a torn
 * tail: a crash mid-append) is reported as droppable; bad bytes anywhere else are reported as
 * corrupt regions for the caller to keep a copy of and to report loudly.
 */
import { crc32 } from './crc32.ts';

export const RECORD_HEADER = 8;
/** a record longer than this is treated as corruption, not as a reason to read gigabytes */
export const MAX_RECORD = 64 * 1024 * 1024;

export function encodeRecord(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt32BE(crc32(payload), 4);
  out.set(payload, RECORD_HEADER);
  return out;
}

export interface CorruptRegion { offset: number; bytes: number }

export interface ParsedLog {
  records: Buffer[];
  /** file offset of each record's header */
  offsets: number[];
  /** bytes of the valid prefix: where the first bad byte (or the torn tail) starts */
  validBytes: number;
  /** bytes of an incomplete last record after the last valid one (0 if none) */
  tornTail: number;
  /** bad bytes that are not a torn tail, in file order */
  corrupt: CorruptRegion[];
}

/** the end of a valid record starting at `off`, or -1. A zero length is never valid: a zeroed page
 *  would otherwise parse as thousands of empty records. */
function recordEnd(buf: Buffer, off: number): number {
  if (off + RECORD_HEADER > buf.length) return -1;
  const len = buf.readUInt32BE(off);
  if (len === 0 || len > MAX_RECORD || off + RECORD_HEADER + len > buf.length) return -1;
  const start = off + RECORD_HEADER, end = start + len;
  return crc32(buf, start, end) === buf.readUInt32BE(off + 4) ? end : -1;
}

/**
 * @param startsLike optional cheap test of a candidate payload's first byte, used only while
 *   resynchronising (an op record starts with a msgpack 8-element array), so the scan does not
 *   checksum megabytes at every byte offset of a damaged region
 */
export function parseRecords(buf: Buffer, startsLike: (firstByte: number) => boolean = () => true): ParsedLog {
  const out: ParsedLog = { records: [], offsets: [], validBytes: -1, tornTail: 0, corrupt: [] };
  let off = 0;
  while (off < buf.length) {
    const end = recordEnd(buf, off);
    if (end >= 0) {
      out.records.push(buf.subarray(off + RECORD_HEADER, end)); out.offsets.push(off);
      off = end;
      continue;
    }
    if (out.validBytes < 0) out.validBytes = off;
    let next = -1;
    for (let p = off + 1; p + RECORD_HEADER < buf.length; p++) {
      if (startsLike(buf[p + RECORD_HEADER]!) && recordEnd(buf, p) >= 0) { next = p; break; }
    }
    if (next < 0) {
      // nothing valid follows: an incomplete record (short header, or a length running past the
      // end of the file) is a torn tail; anything else is a damaged last record
      const torn = off + RECORD_HEADER > buf.length || (buf.readUInt32BE(off) <= MAX_RECORD && off + RECORD_HEADER + buf.readUInt32BE(off) > buf.length);
      if (torn) out.tornTail = buf.length - off; else out.corrupt.push({ offset: off, bytes: buf.length - off });
      break;
    }
    out.corrupt.push({ offset: off, bytes: next - off });
    off = next;
  }
  if (out.validBytes < 0) out.validBytes = buf.length;
  return out;
}
