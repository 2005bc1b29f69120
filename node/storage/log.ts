/**
 * The append-only operation log on disk (`--data DIR` → DIR/ops.log).
 *
 * Durability policies:
 * - always:   a write is acknowledged after fdatasync. Appends that arrive while a sync is in
 *             flight are batched into the next one (group commit), so throughput scales with load.
 * - interval: acknowledged after write(2) (survives a process kill), fdatasync every 100 ms
 *             (a machine crash may lose the last 100 ms).
 * - never:    acknowledged after write(2), never synced by us.
 * - unsafe-buffered (--unsafe-no-fsync, a testing aid): acknowledged at once, records kept in
 *             memory and written once a second, so a SIGKILL right after an ack loses the write.
 */
import { mkdirSync, readFileSync, truncateSync, existsSync, copyFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { opFromWire, opToWire, type Op } from '../core/ops.ts';
import type { VersionVector } from '../core/version-vector.ts';
import { replaceFileAtomically } from './atomic.ts';
import { encodeRecord, parseRecords, RECORD_HEADER } from './records.ts';

export type FsyncPolicy = 'always' | 'interval' | 'never' | 'unsafe-buffered';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

export interface Corruption {
  /** damaged regions skipped (bad framing or checksum) and framed records that are not valid ops */
  regions: number;
  bytes: number;
  /** file offset of the first bad byte */
  firstOffset: number;
  /** where the damaged file was copied before the log was rewritten without the bad bytes */
  copy: string;
  /** valid records after the first bad byte, kept (the old behaviour lost them) */
  keptAfter: number;
}

export interface Recovery {
  ops: Op[];
  records: number;
  /** torn-tail bytes dropped (or, with truncateOnCorruption, everything from the first bad byte) */
  droppedBytes: number;
  badRecords: number;
  corruption: Corruption | null;
  /** the log was rewritten by compaction: it holds only ops above this frontier (the rest are in
   *  DIR/snapshot.bin); null for a log that still starts at seq 1 of every origin */
  base: VersionVector | null;
}

/** an op record's payload is a msgpack 8-element array */
export const OP_RECORD_FIRST_BYTE = 0x98;

/** one record's payload → the op it holds, or null when it is not a valid op (the simulator's recovery uses it too) */
export function decodeOpRecord(rec: Uint8Array): Op | null {
  let op: Op | string;
  try { op = opFromWire(packr.unpack(rec)); } catch { return null; }
  return typeof op === 'string' ? null : op;
}

/** the first record of a log rewritten by compaction: `{base: frontier}` */
function encodeBaseRecord(base: VersionVector): Buffer { return encodeRecord(packr.pack({ base })); }

function decodeBaseRecord(rec: Uint8Array): VersionVector | null {
  let v: unknown;
  try { v = packr.unpack(rec); } catch { return null; }
  const base = (v as { base?: unknown } | null)?.base;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return null;
  for (const n of Object.values(base)) if (!Number.isSafeInteger(n) || (n as number) < 0) return null;
  return base as VersionVector;
}

interface Waiter { resolve: () => void; reject: (e: Error) => void }

export class OpLog {
  private queue: Buffer[] = [];
  private waiters: Waiter[] = [];
  private writing = false;
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  private closed = false;
  private failure: Error | null = null;
  /** compaction rewrites queued: appends wait for them, so none lands in the file being replaced */
  private replacing = 0;
  /** the rewrites run one after the other, in the order they were asked for */
  private replaced: Promise<void> = Promise.resolve();

  private constructor(private fh: FileHandle, private readonly path: string, readonly policy: FsyncPolicy) {
    if (policy === 'interval' || policy === 'unsafe-buffered') {
      const every = policy === 'interval' ? 100 : 1000;
      this.timer = setInterval(() => { void this.background(); }, every);
      this.timer.unref();
    }
  }

  /**
   * Open (creating) DIR/ops.log and recover it. A torn tail (an incomplete last record) is cut.
   * Damage before the tail is never cut away: bad records are skipped, every valid record after
   * them is kept, the damaged file is copied to ops.log.corrupt-<time> and the log is rewritten
   * without the bad bytes (anti-entropy then repairs the lost ops from peers). With
   * `truncateOnCorruption` (--unsafe-truncate-on-corruption, a testing aid) the log is cut at the
   * first bad byte instead, as maep once did.
   */
  static async open(dir: string, policy: FsyncPolicy, truncateOnCorruption = false): Promise<{ log: OpLog; recovery: Recovery }> {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'ops.log');
    const recovery: Recovery = { ops: [], records: 0, droppedBytes: 0, badRecords: 0, corruption: null, base: null };
    if (existsSync(path)) {
      const buf = readFileSync(path);
      const parsed = parseRecords(buf, (b) => b === OP_RECORD_FIRST_BYTE);
      const good: Buffer[] = [], goodAt: number[] = [];
      const bad = [...parsed.corrupt];
      parsed.records.forEach((rec, i) => {
        let op: Op | string;
        try { op = opFromWire(packr.unpack(rec)); } catch { op = 'undecodable'; }
        const at = parsed.offsets[i]!;
        const base = typeof op === 'string' ? decodeBaseRecord(rec) : null;
        if (base) { recovery.base = base; good.push(buf.subarray(at, at + RECORD_HEADER + rec.length)); goodAt.push(at); return; }
        if (typeof op === 'string') { recovery.badRecords++; bad.push({ offset: at, bytes: rec.length + RECORD_HEADER }); return; }
        if (truncateOnCorruption && at >= parsed.validBytes) return;
        recovery.ops.push(op);
        good.push(buf.subarray(at, at + RECORD_HEADER + rec.length)); goodAt.push(at);
      });
      recovery.records = recovery.ops.length;
      if (truncateOnCorruption) {
        recovery.droppedBytes = buf.length - parsed.validBytes;
        if (recovery.droppedBytes > 0) truncateSync(path, parsed.validBytes);
      } else if (bad.length > 0) {
        bad.sort((a, b) => a.offset - b.offset);
        const first = bad[0]!.offset;
        const copy = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        copyFileSync(path, copy);
        replaceFileAtomically(path, Buffer.concat(good));
        recovery.droppedBytes = parsed.tornTail;
        recovery.corruption = {
          regions: bad.length, bytes: bad.reduce((a, r) => a + r.bytes, 0), firstOffset: first, copy,
          keptAfter: goodAt.filter((o) => o > first).length,
        };
      } else {
        recovery.droppedBytes = parsed.tornTail;
        if (parsed.tornTail > 0) truncateSync(path, buf.length - parsed.tornTail);
      }
    }
    const fh = await open(path, 'a');
    return { log: new OpLog(fh, path, policy), recovery };
  }

  static encode(op: Op): Buffer { return encodeRecord(packr.pack(opToWire(op))); }

  /** resolves when the ops are as durable as the policy promises */
  append(ops: readonly Op[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('log is closed'));
    if (this.failure) return Promise.reject(this.failure);
    for (const op of ops) this.queue.push(OpLog.encode(op));
    if (this.policy === 'unsafe-buffered') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.writing && this.replacing === 0) void this.flushLoop();
    });
  }

  /**
   * Compaction: replace the log by a base record and `ops` (every op held above the snapshot just
   * written, as the core holds them at this call). Records appended before this call are covered
   * (their ops are in `ops` or in the snapshot): they are not written again and their appends
   * resolve once the new file is durable. Records appended after it go into the new file.
   */
  replaceWith(base: VersionVector, ops: Iterable<Op>): Promise<void> {
    if (this.closed) return Promise.reject(new Error('log is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const covered = this.waiters;
    this.waiters = []; this.queue = [];
    const content = [encodeBaseRecord(base)];
    for (const op of ops) content.push(OpLog.encode(op));
    this.replacing++;
    const job = this.replaced.then(async () => {
      try {
        // a batch being written to the old file finishes first
        while (this.writing) await new Promise((r) => setTimeout(r, 1));
        this.writing = true;
        try {
          replaceFileAtomically(this.path, Buffer.concat(content));
          const old = this.fh;
          this.fh = await open(this.path, 'a');
          await old.close();
          for (const w of covered) w.resolve();
        } catch (e) {
          this.failure = e as Error;
          for (const w of covered) w.reject(this.failure);
          throw e;
        } finally {
          this.writing = false;
        }
      } finally {
        this.replacing--;
        if (this.replacing === 0 && this.queue.length > 0) void this.flushLoop();
      }
    });
    this.replaced = job.catch(() => {});
    return job;
  }

  private async flushLoop(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0 && this.replacing === 0) {
        const batch = Buffer.concat(this.queue);
        const waiters = this.waiters;
        this.queue = []; this.waiters = [];
        try {
          await this.fh.write(batch);
          if (this.policy === 'always') await this.fh.datasync(); else this.dirty = true;
          for (const w of waiters) w.resolve();
        } catch (e) {
          this.failure = e as Error;
          for (const w of [...waiters, ...this.waiters]) w.reject(this.failure);
          this.waiters = []; this.queue = [];
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async background(): Promise<void> {
    if (this.closed || this.writing || this.replacing > 0) return;
    if (this.policy === 'unsafe-buffered') {
      if (this.queue.length > 0) await this.flushLoop();
      return;
    }
    if (this.dirty) {
      this.dirty = false;
      try { await this.fh.datasync(); } catch (e) { this.failure = e as Error; }
    }
  }

  /** flush everything (also the unsafe buffer: a clean SIGTERM shutdown loses nothing) and close */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    while (this.writing || this.replacing > 0) await new Promise((r) => setTimeout(r, 5));
    if (this.queue.length > 0) await this.flushLoop();
    this.closed = true;
    try { await this.fh.datasync(); } catch { /* best effort */ }
    await this.fh.close();
  }
}
