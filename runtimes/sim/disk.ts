/**
 * One node's simulated disk. Bytes written reach the simulated OS at once; they become durable
 * when synced (after the fsync latency) or, like a kernel's writeback, once they are older than
 * `writebackMs`. A crash of the node's machine keeps the durable bytes and, with even odds, a torn
 * piece of what followed (a record cut in the middle), which is what the node must recover from.
 */
import type { SimDisk } from '../../api/sim.ts';
import type { Rng } from '../../api/rng.ts';

export interface DiskTiming {
  /** simulated ms one fsync takes */
  fsyncMs: number;
  /** written bytes older than this are durable even unsynced (kernel writeback) */
  writebackMs: number;
}

export const DEFAULT_DISK_TIMING: DiskTiming = { fsyncMs: 1, writebackMs: 5000 };

export class SimDiskState {
  private chunks: { at: number; data: Uint8Array }[] = [];
  private durable = 0;
  private length = 0;

  constructor(private readonly now: () => number, readonly timing: DiskTiming = DEFAULT_DISK_TIMING) {}

  /** the disk as a node sees it; `after` is a timer that dies with the node */
  handle(after: (ms: number, fn: () => void) => void): SimDisk {
    return {
      write: (data) => { this.chunks.push({ at: this.now(), data: data.slice() }); this.length += data.length; },
      sync: (done) => {
        const upTo = this.length;
        after(this.timing.fsyncMs, () => { this.durable = Math.max(this.durable, upTo); done(); });
      },
      read: () => this.bytes(),
      truncate: (length) => {
        const kept = this.bytes().subarray(0, length).slice();
        this.chunks = kept.length ? [{ at: -Infinity, data: kept }] : [];
        this.length = kept.length;
        this.durable = Math.min(this.durable, kept.length);
      },
    };
  }

  /** the machine crashed: keep what was durable (synced or written back), maybe a torn piece more */
  crash(rng: Rng): { lostBytes: number; tornBytes: number } {
    let durable = this.durable;
    let off = 0;
    for (const c of this.chunks) {
      off += c.data.length;
      if (this.now() - c.at >= this.timing.writebackMs) durable = Math.max(durable, off);
    }
    const all = this.bytes();
    const unsynced = all.length - durable;
    const torn = unsynced > 1 && rng.next() < 0.5 ? rng.int(1, unsynced - 1) : 0;
    const kept = all.subarray(0, durable + torn);
    this.chunks = kept.length ? [{ at: -Infinity, data: kept.slice() }] : [];
    this.length = kept.length;
    this.durable = kept.length;
    return { lostBytes: unsynced - torn, tornBytes: torn };
  }

  bytes(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!.data;
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) { out.set(c.data, off); off += c.data.length; }
    return out;
  }
}
