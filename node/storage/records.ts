/**
 * The log's record format, pure: [u32 payload length][u32 crc32 of payload][payload], big-endian.
 * Parsing keeps every complete, checksum-valid record and reports where the valid prefix ends; the
 * rest (a torn tail from a crash mid-write, or garbage) is dropped by the caller.
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

export interface ParsedLog {
  records: Buffer[];
  /** bytes of the valid prefix; everything after it is to be truncated */
  validBytes: number;
}

export function parseRecords(buf: Buffer): ParsedLog {
  const records: Buffer[] = [];
  let off = 0;
  while (off + RECORD_HEADER <= buf.length) {
    const len = buf.readUInt32BE(off);
    if (len > MAX_RECORD || off + RECORD_HEADER + len > buf.length) break;
    const start = off + RECORD_HEADER, end = start + len;
    if (crc32(buf, start, end) !== buf.readUInt32BE(off + 4)) break;
    records.push(buf.subarray(start, end));
    off = end;
  }
  return { records, validBytes: off };
}
