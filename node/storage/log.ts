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
import { mkdirSync, readFileSync, truncateSync, existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { opFromWire, opToWire, type Op } from '../core/ops.ts';
import { encodeRecord, parseRecords } from './records.ts';

export type FsyncPolicy = 'always' | 'interval' | 'never' | 'unsafe-buffered';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

export interface Recovery { ops: Op[]; records: number; droppedBytes: number; badRecords: number }

interface Waiter { resolve: () => void; reject: (e: Error) => void }

export class OpLog {
  private queue: Buffer[] = [];
  private waiters: Waiter[] = [];
  private writing = false;
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  private closed = false;
  private failure: Error | null = null;

  private constructor(private readonly fh: FileHandle, readonly policy: FsyncPolicy) {
    if (policy === 'interval' || policy === 'unsafe-buffered') {
      const every = policy === 'interval' ? 100 : 1000;
      this.timer = setInterval(() => { void this.background(); }, every);
      this.timer.unref();
    }
  }

  /** open (creating) DIR/ops.log, recover its valid prefix, truncate any torn tail */
  static async open(dir: string, policy: FsyncPolicy): Promise<{ log: OpLog; recovery: Recovery }> {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'ops.log');
    const recovery: Recovery = { ops: [], records: 0, droppedBytes: 0, badRecords: 0 };
    if (existsSync(path)) {
      const buf = readFileSync(path);
      const parsed = parseRecords(buf);
      for (const rec of parsed.records) {
        let op: Op | string;
        try { op = opFromWire(packr.unpack(rec)); } catch { op = 'undecodable'; }
        if (typeof op === 'string') { recovery.badRecords++; continue; }
        recovery.ops.push(op);
      }
      recovery.records = parsed.records.length;
      recovery.droppedBytes = buf.length - parsed.validBytes;
      if (recovery.droppedBytes > 0) truncateSync(path, parsed.validBytes);
    }
    const fh = await open(path, 'a');
    return { log: new OpLog(fh, policy), recovery };
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
      if (!this.writing) void this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
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
    if (this.closed || this.writing) return;
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
    while (this.writing) await new Promise((r) => setTimeout(r, 5));
    if (this.queue.length > 0) await this.flushLoop();
    this.closed = true;
    try { await this.fh.datasync(); } catch { /* best effort */ }
    await this.fh.close();
  }
}
