/**
 * The simulated network between nodes: every message gets a latency from a seeded distribution
 * (a base plus an exponential tail) and may be lost, duplicated or, when FIFO is off, reordered.
 * By default a link is FIFO and lossless, as the TCP connections a real node uses are; the link
 * nemesis adds delay and loss per directed link, and a grudge (partition, one-way or both) drops
 * what crosses it, also what was already in flight when the cut came.
 */
import type { Grudge, LinkFault } from '../../api/runtime.ts';
import type { Rng } from '../../api/rng.ts';
import type { Scheduler } from './scheduler.ts';

export interface NetOptions {
  /** one-way base latency, ms */
  latencyMs: number;
  /** mean of the exponential tail added to each message, ms */
  tailMs: number;
  /** probability a message is lost (besides link faults and partitions) */
  loss: number;
  /** probability a message is delivered twice */
  dup: number;
  /** false: a link delivers in send order (TCP); true: each message arrives on its own latency */
  reorder: boolean;
}

export const DEFAULT_NET: NetOptions = { latencyMs: 0.5, tailMs: 1, loss: 0, dup: 0, reorder: false };

/** one directed link: its fault (delay, jitter, loss) if any, and its last delivery time */
interface Link { fault: LinkFault | undefined; lastAt: number }

export class SimNetwork {
  /** grudge as sets: drops.get(b).has(a) = b drops what a sends */
  private drops = new Map<string, Set<string>>();
  /** links.get(from).get(to): looked up by node ids, with no `from>to` string built per message */
  private links = new Map<string, Map<string, Link>>();
  sent = 0;
  dropped = 0;

  constructor(private readonly sched: Scheduler, private readonly rng: Rng, readonly opts: NetOptions = DEFAULT_NET) {}

  setGrudge(grudge: Grudge): void {
    this.drops = new Map(Object.entries(grudge).map(([b, from]) => [b, new Set(from)]));
  }

  /** does `to` drop what `from` sends (a partition, one way)? */
  cut(from: string, to: string): boolean {
    return this.drops.get(to)?.has(from) ?? false;
  }

  private link(from: string, to: string): Link {
    let m = this.links.get(from);
    if (!m) { m = new Map(); this.links.set(from, m); }
    let l = m.get(to);
    if (!l) { l = { fault: undefined, lastAt: 0 }; m.set(to, l); }
    return l;
  }

  setLinkFault(from: string, to: string, f: LinkFault): void {
    this.link(from, to).fault = f.delayMs === undefined && f.jitterMs === undefined && f.loss === undefined ? undefined : f;
  }

  clearLinkFaults(): void { for (const m of this.links.values()) for (const l of m.values()) l.fault = undefined; }

  /** one-way latency of a message on this link now */
  latency(from: string, to: string): number {
    return this.latencyOn(this.link(from, to));
  }

  private latencyOn(link: Link): number {
    const f = link.fault;
    let ms = this.opts.latencyMs + (this.opts.tailMs > 0 ? -Math.log(1 - this.rng.next()) * this.opts.tailMs : 0);
    if (f?.delayMs) ms += f.delayMs + (f.jitterMs ? this.rng.next() * f.jitterMs : 0);
    return ms;
  }

  /** send: `deliver` runs at arrival unless the message is lost or cut (then or on the way) */
  transmit(from: string, to: string, deliver: () => void): void {
    this.sent++;
    if (this.cut(from, to)) { this.dropped++; return; }
    const link = this.link(from, to);
    const f = link.fault;
    if ((f?.loss && this.rng.next() < f.loss) || (this.opts.loss > 0 && this.rng.next() < this.opts.loss)) { this.dropped++; return; }
    const copies = this.opts.dup > 0 && this.rng.next() < this.opts.dup ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      let at = this.sched.now + this.latencyOn(link);
      if (!this.opts.reorder) { at = Math.max(at, link.lastAt); link.lastAt = at; }
      this.sched.after(at - this.sched.now, () => {
        if (this.cut(from, to)) { this.dropped++; return; }
        deliver();
      });
    }
  }
}
