/**
 * DIR/snapshot.bin: the compacted ops' fold (core/snapshot.ts), written atomically (temporary file,
 * fsync, rename) as "MAEPSNAP" + one checksummed record (records.ts) of the msgpack snapshot. A
 * damaged file is never passed over silently: reading it throws a SnapshotDamage naming the file
 * and the fault, and the shell decides whether the log alone still holds everything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { snapshotFromPlain, snapshotToPlain, type Snapshot } from '../core/snapshot.ts';
import { replaceFileAtomically } from './atomic.ts';
import { encodeRecord, parseRecords } from './records.ts';

export const SNAPSHOT_FILE = 'snapshot.bin';
const MAGIC = Buffer.from('MAEPSNAP');
const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

export class SnapshotDamage extends Error {}

export function encodeSnapshot(s: Snapshot): Buffer {
  return Buffer.concat([MAGIC, encodeRecord(packr.pack(snapshotToPlain(s)))]);
}

/** the snapshot in `buf`, or why it is not one */
export function decodeSnapshot(buf: Buffer): Snapshot | string {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return 'it does not start with MAEPSNAP';
  const body = buf.subarray(MAGIC.length);
  const parsed = parseRecords(body);
  if (parsed.records.length !== 1 || parsed.validBytes !== body.length) return 'its checksum or length does not match (damaged or cut short)';
  let plain: unknown;
  try { plain = packr.unpack(parsed.records[0]!); } catch (e) { return `it is not valid msgpack (${(e as Error).message.slice(0, 80)})`; }
  return snapshotFromPlain(plain);
}

/** write DIR/snapshot.bin atomically; returns its size in bytes */
export function writeSnapshot(dir: string, s: Snapshot): number {
  const bytes = encodeSnapshot(s);
  replaceFileAtomically(join(dir, SNAPSHOT_FILE), bytes);
  return bytes.length;
}

/** DIR/snapshot.bin, or null when there is none; throws SnapshotDamage when it cannot be read back */
export function readSnapshot(dir: string): { snapshot: Snapshot; bytes: number } | null {
  const path = join(dir, SNAPSHOT_FILE);
  if (!existsSync(path)) return null;
  const buf = readFileSync(path);
  const s = decodeSnapshot(buf);
  if (typeof s === 'string') throw new SnapshotDamage(`${path} is damaged: ${s}`);
  return { snapshot: s, bytes: buf.length };
}
