/**
 * TCP peer connections. Each node dials every peer it knows at the address from its own --peers
 * list (never an address the peer advertises: the harness routes each directed link through its
 * own proxy) and sends to that peer only over the connection it dialed; messages arriving on an
 * accepted connection are answered on that same connection.
 *
 * A partition may blackhole a connection without any RST, so liveness is judged by traffic: a
 * dialed connection that received nothing (not even a PONG) for `deadAfterMs` is destroyed and
 * redialled with backoff; a handshake that does not complete in time is abandoned; write buffers
 * are bounded and an over-full connection is destroyed rather than allowed to grow.
 *
 * With a cluster key every frame after the handshake carries a tag under a key of its connection
 * and direction (wire/frame-mac.ts): a frame that fails it is never processed, and its connection
 * is refused like a failed handshake (counted, logged).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Message } from '../core/messages.ts';
import { decodeMessage, encodeMessage } from '../wire/codec.ts';
import { FrameDecoder, FrameError, frameTypeName, HEADER_BYTES, WIRE_VERSION } from '../wire/frame.ts';
import { FrameMac } from '../wire/frame-mac.ts';
import type { NodeMetrics } from './metrics.ts';
import { parseHostPort } from './address.ts';
import { ClusterKey, newChallenge } from './auth.ts';
import { RateLimitedLog } from './rate-log.ts';

/** largest frame accepted before the handshake (ID, ACK_ID, AUTH are a few hundred bytes) */
export const PRE_AUTH_MAX_FRAME = 4096;
/** bytes one connection may have buffered before its handshake finished */
export const PRE_AUTH_BUFFER = 64 * 1024;

export interface PeerNetHooks {
  selfId: string;
  advertise: string;
  /** a decoded message from an identified peer; `reply` writes on the connection it came on */
  onMessage(from: string, msg: Message, reply: (m: Message) => void): void;
  /** our dialed connection to `peer` finished its handshake */
  onConnected(peer: string): void;
  /** an accepted connection introduced itself */
  onHello(id: string, addr: string): void;
  log(level: 'info' | 'warn' | 'debug', text: string): void;
  metrics: NodeMetrics;
}

export interface PeerNetOptions {
  maxFrameBytes: number;
  /** destroy a connection whose unsent bytes exceed this */
  writeBufferLimit: number;
  deadAfterMs: number;
  handshakeTimeoutMs: number;
  /** accepted connections silent this long are closed (the dialer pings every heartbeat) */
  idleTimeoutMs: number;
  /** the pre-shared key peers must prove (none: unauthenticated links) */
  clusterKey?: ClusterKey;
  /** accepted connections allowed in their handshake at once */
  maxUnauthenticated: number;
}

interface Dial {
  id: string;
  addr: string;
  socket: net.Socket | null;
  ready: boolean;
  since: number;
  lastRecv: number;
  backoffMs: number;
  retry: NodeJS.Timeout | null;
  /** tags what this node sends on the connection (with a cluster key, once the handshake is done) */
  out: FrameMac | null;
}

interface Accepted { socket: net.Socket; peer: string | null; since: number; lastRecv: number; out: FrameMac | null }

/** why a peer connection was refused: maep_peer_auth_failures_total{reason} and /admin/status */
export type RefusalReason = 'no-proof' | 'bad-proof' | 'too-many-pending' | 'oversized' | 'wire-version' | 'bad-tag';

export class PeerNet {
  private server: net.Server | null = null;
  private readonly dials = new Map<string, Dial>();
  private readonly accepted = new Set<Accepted>();
  private watchdog: NodeJS.Timeout | null = null;
  private closing = false;
  private logBudget = { windowStart: 0, used: 0, suppressed: 0 };
  private lastEncoded: { msg: Message; buf: Buffer } | null = null;
  /** accepted connections still in their handshake */
  private unauthenticated = 0;
  private readonly refusalLog = new RateLimitedLog((t) => this.hooks.log('warn', t));
  private readonly refused: Partial<Record<RefusalReason, number>> = {};

  constructor(private readonly hooks: PeerNetHooks, private readonly opts: PeerNetOptions) {}

  async listen(addr: string): Promise<string> {
    const { host, port } = parseHostPort(addr);
    const server = net.createServer((s) => this.onAccept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onErr = (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'EADDRINUSE' ? `peer address ${addr} is already in use; pick another --listen port` : `cannot listen for peers on ${addr}: ${e.message}`));
      server.once('error', onErr);
      server.listen(port, host, () => { server.off('error', onErr); resolve(); });
    });
    server.on('error', (e) => this.hooks.log('warn', `peer listener error: ${e.message}`));
    this.watchdog = setInterval(() => this.checkConnections(), 100);
    const a = server.address() as net.AddressInfo;
    return `${host}:${a.port}`;
  }

  /** keep a dialed connection to `id` at `addr` (first call wins: seeds are registered first) */
  ensureDial(id: string, addr: string): void {
    if (this.closing || id === this.hooks.selfId || this.dials.has(id)) return;
    const d: Dial = { id, addr, socket: null, ready: false, since: 0, lastRecv: 0, backoffMs: 100, retry: null, out: null };
    this.dials.set(id, d);
    this.connect(d);
  }

  /** stop dialling a peer the core forgot */
  forget(id: string): void {
    const d = this.dials.get(id);
    if (!d) return;
    this.dials.delete(id);
    if (d.retry) clearTimeout(d.retry);
    // unset first, so the close handler does not schedule a redial
    const socket = d.socket;
    d.socket = null; d.ready = false;
    socket?.destroy();
  }

  isConnected(id: string): boolean { return this.dials.get(id)?.ready ?? false; }

  /** peer connections refused so far, by reason */
  refusals(): Partial<Record<RefusalReason, number>> { return { ...this.refused }; }

  /** best effort: false when there is no live dialed connection to `to` */
  send(to: string, msg: Message): boolean {
    const d = this.dials.get(to);
    if (!d || !d.ready || !d.socket) { this.hooks.metrics.droppedSends.inc(); return false; }
    return this.write(d.socket, msg, to, d.out);
  }

  /** `mac` tags the frame for this connection (the encoded frame itself is shared by every peer) */
  private write(socket: net.Socket, msg: Message, peer: string, mac: FrameMac | null = null): boolean {
    if (socket.destroyed) return false;
    const buf = this.encode(msg);
    // the peer would refuse it and close the link, and the next round would send it again: keep
    // the link, drop the message, say so (a snapshot past the frame limit, see README "Compaction")
    if (buf.length - HEADER_BYTES > this.opts.maxFrameBytes) {
      this.refusalLog.line(`too-large-${msg.type}`, `not sending ${msg.type} to ${peer}: ${buf.length - HEADER_BYTES} bytes, over the ${this.opts.maxFrameBytes}-byte frame limit, which the peer would refuse`);
      this.hooks.metrics.droppedSends.inc();
      return false;
    }
    if (socket.writableLength + buf.length > this.opts.writeBufferLimit) {
      this.hooks.log('warn', `connection to ${peer} has ${socket.writableLength} unsent bytes; closing it as stalled`);
      this.hooks.metrics.droppedSends.inc();
      socket.destroy();
      return false;
    }
    this.hooks.metrics.peerMessages.inc({ type: msg.type, direction: 'out' });
    if (!mac) { socket.write(buf); return true; }
    // corked: frame and tag leave in one write, without copying the frame
    socket.cork();
    socket.write(buf);
    socket.write(mac.tag(buf));
    socket.uncork();
    return true;
  }

  /** the core hands the same message object to every peer it pushes a new op to: encode it once */
  private encode(msg: Message): Buffer {
    if (this.lastEncoded?.msg !== msg) this.lastEncoded = { msg, buf: encodeMessage(msg) };
    return this.lastEncoded.buf;
  }

  private connect(d: Dial): void {
    if (this.closing) return;
    d.retry = null;
    let target: { host: string; port: number };
    try { target = parseHostPort(d.addr); } catch (e) { this.hooks.log('warn', `peer ${d.id}: ${(e as Error).message}; not dialling`); return; }
    const socket = net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    d.socket = socket; d.ready = false; d.since = performance.now(); d.lastRecv = d.since; d.out = null;
    // before the handshake only small frames are accepted: a stranger must not make us buffer 16 MiB
    const decoder = new FrameDecoder(PRE_AUTH_MAX_FRAME);
    const key = this.opts.clusterKey;
    const challenge = key ? newChallenge() : undefined;
    socket.on('connect', () => { this.write(socket, { type: 'ID', id: this.hooks.selfId, addr: this.hooks.advertise, challenge }, d.id); });
    socket.on('data', (chunk: Buffer) => {
      d.lastRecv = performance.now();
      this.consume(decoder, chunk, socket, () => d.id, () => d.ready, (msg) => {
        if (d.ready) { this.dispatch(d.id, msg, socket, d.out); return; }
        if (msg.type !== 'ACK_ID') { this.malformed(socket, d.id, `expected ACK_ID first, got ${msg.type}`); return; }
        if (msg.id !== d.id) {
          this.hooks.log('warn', `dialled ${d.id} at ${d.addr} but ${msg.id} answered; closing and retrying`);
          socket.destroy();
          return;
        }
        if (key && challenge) {
          if (!msg.challenge || !msg.mac) { this.refuse(socket, `${d.id} at ${d.addr}`, 'no-proof', 'it answered without a cluster key proof (is it started without --cluster-key-file?)'); return; }
          if (!key.verify(msg.mac, 'ack', challenge, msg.challenge, this.hooks.selfId, d.id)) { this.refuse(socket, `${d.id} at ${d.addr}`, 'bad-proof', 'its cluster key proof is wrong (a different --cluster-key-file?)'); return; }
          this.write(socket, { type: 'AUTH', mac: key.mac('auth', challenge, msg.challenge, this.hooks.selfId, d.id) }, d.id);
          const macs = key.sessionMacs(challenge, msg.challenge, 'dialer');
          d.out = macs.out;
          decoder.mac = macs.in;
        }
        d.ready = true; d.backoffMs = 100;
        decoder.maxPayload = this.opts.maxFrameBytes;
        this.hooks.log('debug', `connected to ${d.id} at ${d.addr}`);
        this.safely(() => this.hooks.onConnected(d.id));
      });
    });
    socket.on('error', () => { /* 'close' follows; the reason is in the redial log at debug level */ });
    socket.on('close', () => {
      if (d.socket !== socket) return;
      const wasReady = d.ready;
      d.socket = null; d.ready = false;
      if (wasReady) this.hooks.log('debug', `connection to ${d.id} closed; redialling`);
      if (this.closing) return;
      const delay = d.backoffMs * (0.5 + Math.random() * 0.5);
      d.backoffMs = Math.min(d.backoffMs * 2, 2000);
      d.retry = setTimeout(() => this.connect(d), delay);
    });
  }

  private onAccept(socket: net.Socket): void {
    if (this.closing) { socket.destroy(); return; }
    // strangers are capped in number (and each in buffered bytes): a flood of half-open handshakes
    // must not grow memory without bound
    if (this.unauthenticated >= this.opts.maxUnauthenticated) { this.refuse(socket, `${socket.remoteAddress}:${socket.remotePort}`, 'too-many-pending', `${this.unauthenticated} connections are already in their handshake`); return; }
    socket.setNoDelay(true);
    const a: Accepted = { socket, peer: null, since: performance.now(), lastRecv: performance.now(), out: null };
    this.accepted.add(a);
    this.unauthenticated++;
    let pending = true;
    const authenticated = () => { if (pending) { pending = false; this.unauthenticated--; } };
    const decoder = new FrameDecoder(PRE_AUTH_MAX_FRAME);
    const key = this.opts.clusterKey;
    let claimed: { id: string; addr: string; dialerChallenge?: Uint8Array; acceptorChallenge?: Uint8Array } | null = null;
    const who = () => a.peer ?? claimed?.id ?? `${socket.remoteAddress}:${socket.remotePort}`;
    const admit = (id: string, addr: string, macs?: { in: FrameMac; out: FrameMac }) => {
      if (macs) { decoder.mac = macs.in; a.out = macs.out; }
      a.peer = id;
      authenticated();
      decoder.maxPayload = this.opts.maxFrameBytes;
      this.safely(() => this.hooks.onHello(id, addr));
    };
    socket.on('data', (chunk: Buffer) => {
      a.lastRecv = performance.now();
      this.consume(decoder, chunk, socket, who, () => a.peer !== null, (msg) => {
        if (a.peer !== null) { this.dispatch(a.peer, msg, socket, a.out); return; }
        if (claimed === null) {
          if (msg.type !== 'ID') { this.malformed(socket, who(), `expected ID first, got ${msg.type}`); return; }
          if (msg.id === this.hooks.selfId) { this.hooks.log('warn', `a connection claimed to be this node (${msg.id}); closing it`); socket.destroy(); return; }
          claimed = { id: msg.id, addr: msg.addr };
          if (!key) { this.write(socket, { type: 'ACK_ID', id: this.hooks.selfId }, msg.id); admit(msg.id, msg.addr); return; }
          if (!msg.challenge) { this.refuse(socket, `${msg.id} from ${socket.remoteAddress}:${socket.remotePort}`, 'no-proof', 'it offered no cluster key handshake (started without --cluster-key-file?)'); return; }
          claimed.dialerChallenge = msg.challenge;
          claimed.acceptorChallenge = newChallenge();
          this.write(socket, { type: 'ACK_ID', id: this.hooks.selfId, challenge: claimed.acceptorChallenge, mac: key.mac('ack', msg.challenge, claimed.acceptorChallenge, msg.id, this.hooks.selfId) }, msg.id);
          return;
        }
        if (msg.type !== 'AUTH') { this.refuse(socket, `${claimed.id} from ${socket.remoteAddress}:${socket.remotePort}`, 'no-proof', `sent ${msg.type} before proving the cluster key`); return; }
        if (!key!.verify(msg.mac, 'auth', claimed.dialerChallenge!, claimed.acceptorChallenge!, claimed.id, this.hooks.selfId)) { this.refuse(socket, `${claimed.id} from ${socket.remoteAddress}:${socket.remotePort}`, 'bad-proof', 'its cluster key proof is wrong (a different --cluster-key-file?)'); return; }
        admit(claimed.id, claimed.addr, key!.sessionMacs(claimed.dialerChallenge!, claimed.acceptorChallenge!, 'acceptor'));
      });
      if (a.peer === null && !socket.destroyed && decoder.pendingBytes() > PRE_AUTH_BUFFER) this.refuse(socket, who(), 'oversized', `buffered ${decoder.pendingBytes()} bytes before the handshake finished`);
    });
    socket.on('error', () => {});
    socket.on('close', () => { this.accepted.delete(a); authenticated(); });
  }

  /** refuse a connection that failed its handshake or a frame's tag: counted by reason, logged (rate limited), closed */
  private refuse(socket: net.Socket, who: string, reason: RefusalReason, why: string): void {
    this.hooks.metrics.authFailures.inc({ reason });
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
    this.refusalLog.line(reason, `refused peer connection ${who}: ${why}`);
    socket.destroy();
  }

  private dispatch(peer: string, msg: Message, socket: net.Socket, mac: FrameMac | null): void {
    if (msg.type === 'ID' || msg.type === 'ACK_ID' || msg.type === 'AUTH') { this.malformed(socket, peer, `unexpected ${msg.type} after the handshake`); return; }
    this.safely(() => this.hooks.onMessage(peer, msg, (m) => { this.write(socket, m, peer, mac); }));
  }

  /**
   * Decode the stream frame by frame, handing each message to `handle` before the next header is
   * read (so a handshake can raise the frame limit, or start checking tags, for what follows). On
   * any malformation close this connection only; frames before the bad one are still handled.
   */
  private consume(decoder: FrameDecoder, chunk: Buffer, socket: net.Socket, who: () => string, handshaken: () => boolean, handle: (m: Message) => void): void {
    if (socket.destroyed) return;
    try { decoder.feed(chunk); } catch (e) { this.malformed(socket, who(), e instanceof FrameError ? e.message : String(e)); return; }
    for (let f = decoder.next(); f && !socket.destroyed; f = decoder.next()) {
      const msg = decodeMessage(f.type, f.payload);
      if (typeof msg === 'string') { this.malformed(socket, who(), msg); return; }
      this.hooks.metrics.peerMessages.inc({ type: frameTypeName(f.type)!, direction: 'in' });
      handle(msg);
    }
    if (decoder.error && !socket.destroyed) this.streamFailed(socket, who(), decoder.error, handshaken());
  }

  private streamFailed(socket: net.Socket, who: string, e: FrameError, handshaken: boolean): void {
    if (e.fault === 'integrity') this.refuse(socket, who, 'bad-tag', `${e.message}; nothing of it was processed, and the link starts over with a new handshake (if this repeats, something between the nodes alters their traffic)`);
    // a peer of another wire version fails at its first frame: say so, rather than "malformed"
    else if (e.fault === 'version' && !handshaken) this.refuse(socket, who, 'wire-version', `${e.message} and never downgrades (run one maep version on every node; version ${WIRE_VERSION} adds a tag to every frame)`);
    else this.malformed(socket, who, e.message);
  }

  private malformed(socket: net.Socket, who: string, reason: string): void {
    this.hooks.metrics.malformedFrames.inc();
    if (reason.includes('does not match its content')) this.hooks.metrics.rejectedOps.inc({ reason: 'id-mismatch' });
    // a flood of garbage must not become a flood of log lines: at most 20 per second
    const now = performance.now();
    const b = this.logBudget;
    if (now - b.windowStart > 1000) {
      if (b.suppressed > 0) this.hooks.log('warn', `${b.suppressed} more malformed frames in the last second (not logged one by one)`);
      b.windowStart = now; b.used = 0; b.suppressed = 0;
    }
    if (b.used++ < 20) this.hooks.log('warn', `malformed frame from ${who}: ${reason}; closing that connection`);
    else b.suppressed++;
    socket.destroy();
  }

  private safely(f: () => void): void {
    try { f(); } catch (e) { this.hooks.log('warn', `internal error handling a peer message: ${(e as Error).stack ?? e}`); }
  }

  private checkConnections(): void {
    const now = performance.now();
    for (const d of this.dials.values()) {
      if (!d.socket) continue;
      if (!d.ready && now - d.since > this.opts.handshakeTimeoutMs) {
        this.hooks.log('debug', `no handshake from ${d.id} at ${d.addr} within ${this.opts.handshakeTimeoutMs} ms; retrying`);
        d.socket.destroy();
      } else if (d.ready && now - d.lastRecv > this.opts.deadAfterMs) {
        this.hooks.log('info', `connection to ${d.id} silent for ${Math.round(now - d.lastRecv)} ms; redialling`);
        d.socket.destroy();
      }
    }
    for (const a of this.accepted) {
      // a handshake has a deadline from accept, however slowly the stranger trickles bytes in
      if (a.peer ? now - a.lastRecv > this.opts.idleTimeoutMs : now - a.since > this.opts.handshakeTimeoutMs) a.socket.destroy();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.watchdog) clearInterval(this.watchdog);
    for (const d of this.dials.values()) { if (d.retry) clearTimeout(d.retry); d.socket?.destroy(); }
    for (const a of this.accepted) a.socket.destroy();
    const server = this.server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
