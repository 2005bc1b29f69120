/**
 * An in-memory network for driving several Replica cores with a fake clock: messages are encoded
 * and decoded through the real wire codec (so the codec is exercised too), then held in flight
 * until the driver delivers, duplicates or drops them in whatever order it likes. Used by the core
 * tests and the benchmark; a deterministic simulator can use it the same way.
 */
import type { Message } from './messages.ts';
import { Replica, defaultReplicaOptions, type Effects, type ReplicaOptions } from './replica.ts';
import { decodeMessage, encodeMessage } from '../wire/codec.ts';

export interface InFlight { from: string; to: string; frame: Buffer }

export class FakeClock {
  constructor(public wall = 1_700_000_000_000, public mono = 0) {}
  advance(ms: number): void { this.wall += ms; this.mono += ms; }
}

export class MemNet {
  readonly nodes = new Map<string, Replica>();
  readonly inflight: InFlight[] = [];
  readonly clocks = new Map<string, FakeClock>();
  /** directed links that drop everything: `${from}>${to}` */
  readonly cut = new Set<string>();
  bytesSent = 0;
  framesSent = 0;
  /** every ack'ed client write is recorded by the tests themselves; this counts persisted ops per node */
  readonly persisted = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  add(id: string, over: Partial<ReplicaOptions> = {}, clock = new FakeClock()): Replica {
    const r = new Replica(defaultReplicaOptions(id, { seeds: [], ...over }), {
      wallNow: () => clock.wall, monoNow: () => clock.mono, random: this.random,
    });
    this.nodes.set(id, r);
    this.clocks.set(id, clock);
    return r;
  }

  /** make every node know every other (as a full --peers list would) */
  static cluster(ids: string[], over: Partial<ReplicaOptions> = {}, random: () => number = Math.random): MemNet {
    const net = new MemNet(random);
    for (const id of ids) net.add(id, { ...over, seeds: ids.filter((x) => x !== id).map((x) => ({ id: x, addr: `mem:${x}` })), advertise: `mem:${id}` });
    return net;
  }

  node(id: string): Replica { return this.nodes.get(id)!; }

  /** queue a node's outgoing messages; replies go back to `replyTo` */
  carry(from: string, fx: Effects, replyTo?: string): void {
    this.persisted.set(from, (this.persisted.get(from) ?? 0) + fx.persist.length);
    for (const s of fx.sends) this.enqueue(from, s.to, s.msg);
    if (replyTo !== undefined) for (const m of fx.replies) this.enqueue(from, replyTo, m);
  }

  private enqueue(from: string, to: string, msg: Message): void {
    if (!this.nodes.has(to)) return;
    const frame = encodeMessage(msg);
    this.bytesSent += frame.length;
    this.framesSent++;
    if (this.cut.has(`${from}>${to}`)) return;
    this.inflight.push({ from, to, frame });
  }

  /** deliver in-flight message `i` (removing it unless `keep`, which makes a duplicate later possible) */
  deliver(i: number, keep = false): void {
    const m = keep ? this.inflight[i]! : this.inflight.splice(i, 1)[0]!;
    const to = this.nodes.get(m.to);
    if (!to || this.cut.has(`${m.from}>${m.to}`)) return;
    const msg = decodeMessage(m.frame[1]!, m.frame.subarray(6));
    if (typeof msg === 'string') throw new Error(`memnet: own frame did not decode: ${msg}`);
    this.carry(m.to, to.receive(m.from, msg), m.from);
  }

  drop(i: number): void { this.inflight.splice(i, 1); }

  /** deliver everything in FIFO order until quiet (bounded) */
  settle(maxSteps = 1_000_000): number {
    let n = 0;
    while (this.inflight.length > 0 && n < maxSteps) { this.deliver(0); n++; }
    return n;
  }

  tickAll(ms = 0): void {
    for (const [id, r] of this.nodes) { this.clocks.get(id)!.advance(ms); this.carry(id, r.tick()); }
  }

  /** heartbeats until every node sees every peer alive */
  warmUp(rounds = 5, hb = 200): void {
    for (let i = 0; i < rounds; i++) { this.tickAll(hb); this.settle(); }
  }

  client(id: string, req: Parameters<Replica['client']>[0]) {
    const { reply, fx } = this.node(id).client(req);
    this.carry(id, fx);
    return reply;
  }

  /** run one anti-entropy session from `a` to `b` to completion */
  syncPair(a: string, b: string): void {
    const { fx } = this.node(a).syncWith(b);
    this.carry(a, fx);
    this.settle();
  }
}
