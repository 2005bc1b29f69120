/**
 * A TCP proxy for one directed link A→B: node A dials the proxy instead of B, and the harness can
 * cut, delay or slow the link without privileges (no iptables, no tc).
 *
 * Fault model, chosen to match what the kernel does to TCP under iptables DROP / netem:
 * - Blackhole (partition). New connections are accepted but not connected onwards; bytes, FINs and
 *   resets on open connections are held, in both directions. Nothing is ever sent back (no RST, no
 *   FIN), so a peer's connection just stalls, as with DROP. On heal the held stream is delivered in
 *   order, as TCP retransmission would deliver it, so the byte stream is never corrupted. While held
 *   bytes pile up past HIGH_WATER the proxy stops reading, so the sender's socket buffers fill, like
 *   a window that is never ACKed. If an endpoint gives up and closes during the cut, that reaches
 *   the other side only after heal, again as with DROP.
 * - Delay + jitter. Each chunk is delivered delayMs + uniform(0, jitterMs) after it arrived, but
 *   never before the chunk ahead of it: TCP delivers in order, so jitter cannot reorder bytes.
 * - Loss. A byte stream cannot lose a chunk without corrupting the framing above it, and real TCP
 *   does not lose data either: a lost segment is retransmitted after the retransmission timeout. So a
 *   "lost" chunk is delivered LOSS_PENALTY_MS (Linux's minimum RTO, 200 ms) late, and everything
 *   behind it waits too (head-of-line blocking). We did not choose "drop and reset the connection":
 *   that models a crash, not loss, and would turn every lossy link into a connection-churn test.
 *
 * Directions: `forward` is the dialer→listener direction of the proxied connections (A→B bytes),
 * `backward` the replies on those connections (B→A bytes).
 */
import net from 'node:net';
import { Rng } from '../../api/rng.ts';
import type { LinkFault } from '../../api/runtime.ts';
import { LOOPBACK } from './ports.ts';

export const LOSS_PENALTY_MS = 200;
const HIGH_WATER = 1 << 20;
const LOW_WATER = 1 << 18;

export type Direction = 'forward' | 'backward';

type Item =
  | { kind: 'data'; buf: Buffer; readyAt: number }
  | { kind: 'end'; readyAt: number }
  | { kind: 'reset'; readyAt: number };

export interface LinkProxyOptions {
  /** port of the real listener (node B's peer port); can be set later with setTarget */
  targetPort?: number;
  /** seeded randomness for jitter and loss */
  rng?: Rng;
  lossPenaltyMs?: number;
}

export interface LinkProxyStats {
  connections: number;
  forwardBytes: number;
  backwardBytes: number;
  /** bytes waiting in the proxy (held by a blackhole or delayed) */
  queuedBytes: number;
}

/** validates a fault and fills defaults */
export function normalizeFault(fault: LinkFault): Required<LinkFault> {
  const f = { delayMs: fault.delayMs ?? 0, jitterMs: fault.jitterMs ?? 0, loss: fault.loss ?? 0 };
  if (!(f.delayMs >= 0) || !(f.jitterMs >= 0)) throw new Error(`link fault: delayMs and jitterMs must be >= 0, got ${JSON.stringify(fault)}`);
  if (!(f.loss >= 0 && f.loss <= 1)) throw new Error(`link fault: loss must be in 0..1, got ${JSON.stringify(fault)}`);
  return f;
}

/** One direction of one proxied connection: an ordered queue of chunks with delivery times. */
class Pipe {
  private queue: Item[] = [];
  queuedBytes = 0;
  private lastReadyAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private waitingDrain = false;
  private srcPaused = false;

  constructor(private readonly conn: ProxiedConnection, readonly dir: Direction, private readonly src: net.Socket) {}

  private dst(): net.Socket | null {
    return this.dir === 'forward' ? this.conn.upstream : this.conn.client;
  }

  enqueue(kind: Item['kind'], buf?: Buffer): void {
    let readyAt = performance.now();
    if (kind === 'data') readyAt += this.conn.proxy.extraDelay(this.dir);
    readyAt = Math.max(readyAt, this.lastReadyAt);
    this.lastReadyAt = readyAt;
    if (kind === 'data') {
      this.queue.push({ kind, buf: buf!, readyAt });
      this.queuedBytes += buf!.length;
      if (this.queuedBytes > HIGH_WATER && !this.srcPaused) {
        this.srcPaused = true;
        this.src.pause();
      }
    } else {
      this.queue.push({ kind, readyAt });
    }
    this.pump();
  }

  pump(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.conn.proxy.blackholed || this.waitingDrain || this.conn.closed) return;
    const dst = this.dst();
    if (!dst || dst.connecting) return;
    if (dst.destroyed) { this.discard(); return; }
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const wait = head.readyAt - performance.now();
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), Math.ceil(wait));
        this.timer.unref();
        break;
      }
      this.queue.shift();
      if (head.kind === 'reset') { this.conn.reset(); return; }
      if (head.kind === 'end') { dst.end(); continue; }
      this.queuedBytes -= head.buf.length;
      this.conn.proxy.countDelivered(this.dir, head.buf.length);
      if (!dst.write(head.buf)) {
        this.waitingDrain = true;
        dst.once('drain', () => { this.waitingDrain = false; this.pump(); });
        break;
      }
    }
    if (this.srcPaused && this.queuedBytes < LOW_WATER) {
      this.srcPaused = false;
      this.src.resume();
    }
  }

  discard(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    this.queue = [];
    this.queuedBytes = 0;
  }
}

class ProxiedConnection {
  upstream: net.Socket | null = null;
  closed = false;
  private readonly fwd: Pipe;
  private bwd: Pipe | null = null;

  constructor(readonly proxy: LinkProxy, readonly client: net.Socket) {
    client.setNoDelay(true);
    client.unref();
    this.fwd = new Pipe(this, 'forward', client);
    this.wire(client, this.fwd);
    if (!proxy.blackholed) this.connectUpstream();
  }

  /** route a socket's events into the pipe that carries them onwards */
  private wire(sock: net.Socket, pipe: Pipe): void {
    let ended = false;
    sock.on('data', (b: Buffer) => pipe.enqueue('data', b));
    sock.on('end', () => { ended = true; pipe.enqueue('end'); });
    sock.on('error', () => { /* reported through 'close' */ });
    sock.on('close', (hadError) => {
      if (this.closed) return;
      if (hadError || !ended) pipe.enqueue('reset');
      this.maybeForget();
    });
  }

  connectUpstream(): void {
    if (this.upstream || this.closed) return;
    const port = this.proxy.targetPort;
    if (port == null) { this.reset(); return; }
    const up = net.connect({ host: LOOPBACK, port, allowHalfOpen: true });
    this.upstream = up;
    up.setNoDelay(true);
    up.unref();
    up.once('connect', () => {
      this.bwd = new Pipe(this, 'backward', up);
      this.wire(up, this.bwd);
      this.fwd.pump();
    });
    // refused or failed before connecting: the listener is down; tell the dialer, as the kernel would
    up.once('error', () => { if (!this.bwd) this.reset(); });
  }

  /** the proxy stopped blackholing */
  heal(): void {
    if (!this.upstream && (this.client.destroyed || this.client.readableEnded)) {
      // the dialer gave up before its connection ever got through: nothing of it reaches the
      // listener, as with a SYN that was dropped until the client stopped retrying
      this.closed = true;
      this.fwd.discard();
      this.client.destroy();
      this.proxy.forget(this);
      return;
    }
    if (!this.upstream) this.connectUpstream();
    this.fwd.pump();
    this.bwd?.pump();
  }

  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.fwd.discard();
    this.bwd?.discard();
    for (const s of [this.client, this.upstream]) {
      if (!s || s.destroyed) continue;
      try { s.resetAndDestroy(); } catch { s.destroy(); }
    }
    this.proxy.forget(this);
  }

  /** drop the connection without a reset (teardown) */
  destroy(): void {
    this.closed = true;
    this.fwd.discard();
    this.bwd?.discard();
    this.client.destroy();
    this.upstream?.destroy();
    this.proxy.forget(this);
  }

  private maybeForget(): void {
    if (this.client.destroyed && (!this.upstream || this.upstream.destroyed)) {
      this.closed = true;
      this.proxy.forget(this);
    }
  }

  queuedBytes(): number {
    return this.fwd.queuedBytes + (this.bwd?.queuedBytes ?? 0);
  }
}

export class LinkProxy {
  targetPort: number | null;
  blackholed = false;
  private readonly server: net.Server;
  private readonly conns = new Set<ProxiedConnection>();
  /** every accepted socket, so that close() can never wait on one that a connection forgot */
  private readonly accepted = new Set<net.Socket>();
  private readonly faults: Record<Direction, Required<LinkFault>> = {
    forward: normalizeFault({}),
    backward: normalizeFault({}),
  };
  private readonly rng: Rng;
  private readonly lossPenaltyMs: number;
  private readonly delivered: Record<Direction, number> = { forward: 0, backward: 0 };
  private listening = false;

  constructor(opts: LinkProxyOptions = {}) {
    this.targetPort = opts.targetPort ?? null;
    this.rng = opts.rng ?? new Rng(1);
    this.lossPenaltyMs = opts.lossPenaltyMs ?? LOSS_PENALTY_MS;
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (sock) => {
      this.accepted.add(sock);
      sock.once('close', () => this.accepted.delete(sock));
      this.conns.add(new ProxiedConnection(this, sock));
    });
    this.server.on('error', () => { /* listen errors surface through listen() */ });
  }

  /** listen on 127.0.0.1 (port 0 = let the kernel choose, which cannot race); returns the port */
  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
        this.server.off('error', onError);
        this.server.unref();
        this.listening = true;
        resolve(this.port);
      });
    });
  }

  get port(): number {
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('LinkProxy: not listening');
    return addr.port;
  }

  setTarget(port: number): void {
    this.targetPort = port;
  }

  setBlackholed(on: boolean): void {
    if (this.blackholed === on) return;
    this.blackholed = on;
    if (!on) for (const c of [...this.conns]) c.heal();
  }

  setFault(dir: Direction, fault: LinkFault): void {
    this.faults[dir] = normalizeFault(fault);
  }

  clearFaults(): void {
    this.faults.forward = normalizeFault({});
    this.faults.backward = normalizeFault({});
  }

  fault(dir: Direction): Required<LinkFault> {
    return { ...this.faults[dir] };
  }

  /** extra delivery delay for a chunk arriving now in direction `dir` */
  extraDelay(dir: Direction): number {
    const f = this.faults[dir];
    let d = f.delayMs;
    if (f.jitterMs > 0) d += this.rng.next() * f.jitterMs;
    if (f.loss > 0 && this.rng.next() < f.loss) d += this.lossPenaltyMs;
    return d;
  }

  countDelivered(dir: Direction, n: number): void {
    this.delivered[dir] += n;
  }

  forget(c: ProxiedConnection): void {
    this.conns.delete(c);
  }

  stats(): LinkProxyStats {
    let queued = 0;
    for (const c of this.conns) queued += c.queuedBytes();
    return { connections: this.conns.size, forwardBytes: this.delivered.forward, backwardBytes: this.delivered.backward, queuedBytes: queued };
  }

  /** stop listening and drop every connection; idempotent */
  close(): Promise<void> {
    for (const c of [...this.conns]) c.destroy();
    for (const sock of this.accepted) sock.destroy();
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    // the listening socket closes at once; the callback also waits for accepted sockets, which
    // are all destroyed above, so the bound is only a guard against a teardown that never ends
    return new Promise((resolve) => {
      const guard = setTimeout(resolve, 2000);
      this.server.close(() => { clearTimeout(guard); resolve(); });
    });
  }
}
