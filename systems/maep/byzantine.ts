/**
 * maep's own fault kind `byzantine` (--nemesis byzantine): a hostile peer that dials the nodes'
 * peer ports and sends forged frames, built with maep's own wire codec. Each start aims at one node
 * (or, one time in three, at every node) and runs every attack once, in a seeded order:
 *
 * - stranger:     no cluster key; ID, then a PUSH of a well-formed put → refused before any message is processed
 * - bad-proof:    ID with a challenge, then an AUTH whose MAC is not made with the key → refused
 * - old-version:  an ID frame of wire version 1 → refused at its first frame (wire-version)
 * - slow-frame:   no key; announces a frame of almost 16 MiB and trickles 60 KB, then holds the
 *                 connection until the stop (the handshake deadline and byte caps must cut it)
 *
 * The rest go through a valid session (wire version 2): the run's key (an insider), the handshake,
 * and every frame after it tagged with the session's keys, so each reaches the check it aims at:
 * - oversized:    a frame header announcing 17 MiB → cut (before any tag is read)
 * - replayed-frame: a tagged PING, then the same bytes again → refused (bad-tag)
 * - forged-id:    a put, an append and a 1,000-coin transfer whose ids do not match their content
 * - seq-jump:     a correctly hashed op in a real node's name, seq 10^12 → rejected (seq-jump)
 * - bad-context:  a real node's op whose context does not follow its own seq → rejected
 * - context-jump: an op whose context needs 10^12 ops of a real node → rejected
 *
 * None of these may change what any node serves: with the fixed maep every checker of the run ends
 * as expected. The insider never sends a *valid* op (a holder of the key is a member, and maep has
 * no per-origin signatures, so valid forgeries in a member's name are beyond its promise). The start's
 * completion records, per target, how each attack ended and the node's refusal counters.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fault, PlanInput, SystemFaultFactory } from '../../api/fault.ts';
import type { NodeEndpoint, Runtime } from '../../api/runtime.ts';
import type { Message } from '../../node/core/messages.ts';
import { makeOp, type Op } from '../../node/core/ops.ts';
import { decodeMessage, encodeMessage } from '../../node/wire/codec.ts';
import { FrameDecoder, FrameType, DEFAULT_MAX_FRAME, WIRE_VERSION } from '../../node/wire/frame.ts';
import { FrameMac } from '../../node/wire/frame-mac.ts';
import { ClusterKey, newChallenge } from '../../node/shell/auth.ts';
import { clusterKey } from './launch.ts';

export const ATTACKS = ['stranger', 'bad-proof', 'old-version', 'slow-frame', 'oversized', 'replayed-frame', 'forged-id', 'seq-jump', 'bad-context', 'context-jump'] as const;
export type Attack = (typeof ATTACKS)[number];

export interface ByzantinePlan {
  nodes: string[];
  /** the order the attacks run in (the same for every target) */
  attacks: Attack[];
  /** the real node in whose name ops are forged, per target */
  victims: Record<string, string>;
  /** a tag making this start's forged ops differ from the last one's */
  tag: number;
}

export interface AttackOutcome { attack: Attack; outcome: string }
export interface TargetReport { node: string; attacks: AttackOutcome[]; refusals?: Record<string, number> }

/** how long an attack the node must cut waits for it to close the connection (generous: a loaded machine) */
const WAIT_MS = 4000;
/** how long an attack the node only rejects (counted, the connection kept) is given before it is closed */
const LINGER_MS = 500;

export class ByzantineFault implements Fault<ByzantinePlan> {
  readonly kind = 'byzantine';
  private readonly sockets = new Set<net.Socket>();
  private active: string[] = [];
  private last: (ByzantinePlan & { report: TargetReport[] }) | null = null;

  constructor(private readonly keyOf: () => ClusterKey | null) {}

  plan({ nodes, rng }: PlanInput): ByzantinePlan {
    const targets = rng.next() < 1 / 3 ? [...nodes] : [rng.pick(nodes)];
    const attacks = rng.shuffle(ATTACKS);
    const victims: Record<string, string> = {};
    for (const t of targets) victims[t] = rng.pick(nodes.length > 1 ? nodes.filter((n) => n !== t) : nodes);
    return { nodes: [...targets].sort(), attacks, victims, tag: rng.int(1, 2 ** 30) };
  }

  async apply(runtime: Runtime, plan: ByzantinePlan): Promise<void> {
    this.active = plan.nodes;
    this.last = { ...plan, report: [] };
    const key = this.keyOf();
    const eps = new Map(runtime.endpoints().map((e) => [e.id, e]));
    const reports = await Promise.all(plan.nodes.map(async (node): Promise<TargetReport> => {
      const ep = eps.get(node);
      if (!ep || ep.ports.peer === undefined) return { node, attacks: plan.attacks.map((attack) => ({ attack, outcome: 'no peer port known' })) };
      const attacks: AttackOutcome[] = [];
      for (const attack of plan.attacks) {
        let outcome: string;
        try { outcome = await this.attack(attack, ep, key, plan.victims[node]!, plan.tag); } catch (e) { outcome = `error: ${(e as Error).message}`; }
        attacks.push({ attack, outcome });
      }
      const refusals = await refusalCounters(ep);
      return { node, attacks, ...(refusals ? { refusals } : {}) };
    }));
    this.last.report = reports;
  }

  applied(): unknown { return this.last; }

  stopValue(): unknown {
    return this.active.length ? { nodes: this.active } : null;
  }

  async undo(): Promise<void> { this.closeAll(); }

  async healDefensive(): Promise<string[]> { this.closeAll(); return []; }

  label(): string | null {
    return this.active.length ? 'byzantine peer → ' + this.active.join(',') : null;
  }

  held(): string[] { return []; }

  private closeAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.active = [];
  }

  private async attack(attack: Attack, ep: NodeEndpoint, key: ClusterKey | null, victim: string, tag: number): Promise<string> {
    const port = ep.ports.peer!;
    const me = `byz${tag % 1000}`;
    switch (attack) {
      case 'stranger': {
        const c = await dial(ep.host, port);
        c.send({ type: 'ID', id: me, addr: '' });
        c.send({ type: 'PUSH', ops: [makeOp({ origin: me, seq: 1, ts: Date.now(), vv: {}, kind: 'put', key: '0', payload: { value: `byzantine-${tag}` } })] });
        return c.outcome(WAIT_MS);
      }
      case 'bad-proof': {
        const c = await dial(ep.host, port);
        c.send({ type: 'ID', id: me, addr: '', challenge: newChallenge() });
        await c.ackId(WAIT_MS);
        c.send({ type: 'AUTH', mac: Buffer.alloc(32, tag & 255) });
        c.send({ type: 'PING', n: 1 });
        return c.outcome(WAIT_MS);
      }
      case 'old-version': {
        const c = await dial(ep.host, port);
        const id = encodeMessage({ type: 'ID', id: me, addr: '', challenge: newChallenge() });
        id[0] = 1;
        c.socket.write(id);
        return c.outcome(WAIT_MS);
      }
      case 'slow-frame': {
        const c = await dial(ep.host, port);
        const h = Buffer.alloc(6);
        h[0] = WIRE_VERSION; h[1] = FrameType.PUSH; h.writeUInt32BE(DEFAULT_MAX_FRAME - 1, 2);
        c.socket.write(h);
        for (let i = 0; i < 6 && !c.isClosed(); i++) { c.socket.write(Buffer.alloc(10_000, 7)); await sleep(50); }
        await sleep(LINGER_MS);
        if (c.isClosed()) return 'closed by the node';
        // held until the stop: the node's deadline and byte caps should end it first
        this.sockets.add(c.socket);
        c.socket.on('close', () => this.sockets.delete(c.socket));
        return 'open, held until the stop';
      }
      default: break;
    }
    if (!key) return 'skipped: no cluster key in the run folder';
    const c = await dial(ep.host, port);
    const challenge = newChallenge();
    c.send({ type: 'ID', id: me, addr: '', challenge });
    const ack = await c.ackId(WAIT_MS);
    if (!ack?.challenge) return 'no challenge from the node';
    c.send({ type: 'AUTH', mac: key.mac('auth', challenge, ack.challenge, me, ack.id) });
    c.session(key.sessionMacs(challenge, ack.challenge, 'dialer'));
    const now = Date.now();
    switch (attack) {
      case 'oversized': {
        const h = Buffer.alloc(6);
        h[0] = WIRE_VERSION; h[1] = FrameType.PUSH; h.writeUInt32BE(DEFAULT_MAX_FRAME + 1024 * 1024, 2);
        c.socket.write(h);
        c.socket.write(Buffer.alloc(64 * 1024, 1));
        return c.outcome(WAIT_MS);
      }
      case 'replayed-frame': {
        const ping = c.seal({ type: 'PING', n: tag });
        c.socket.write(ping);
        c.socket.write(ping);
        return c.outcome(WAIT_MS);
      }
      case 'forged-id': {
        const origin = `${me}o`;
        const ops: Op[] = [
          { ...makeOp({ origin, seq: 1, ts: now, vv: {}, kind: 'put', key: '0', payload: { value: 1 } }), payload: { value: `byzantine-${tag}` } },
          { ...makeOp({ origin, seq: 1, ts: now, vv: {}, kind: 'append', key: '0', payload: { value: 1, links: [] } }), payload: { value: `byzantine-${tag}`, links: [] } },
          { ...makeOp({ origin, seq: 1, ts: now, vv: {}, kind: 'transfer', key: '', payload: { from: 0, to: 1, amount: 1 } }), payload: { from: 0, to: 1, amount: 1000 } },
        ];
        for (const op of ops) c.send({ type: 'PUSH', ops: [op] });
        return c.outcome(WAIT_MS);
      }
      case 'seq-jump':
        c.send({ type: 'PUSH', ops: [makeOp({ origin: victim, seq: 1e12 + tag, ts: now, vv: { [victim]: 1e12 + tag - 1 }, kind: 'put', key: '0', payload: { value: `byzantine-${tag}` } })] });
        return c.outcome(LINGER_MS);
      case 'bad-context':
        c.send({ type: 'PUSH', ops: [makeOp({ origin: victim, seq: 2, ts: now, vv: { [victim]: 7 + tag }, kind: 'append', key: '0', payload: { value: `byzantine-${tag}`, links: [] } })] });
        return c.outcome(LINGER_MS);
      case 'context-jump': {
        const origin = `${me}c`;
        c.send({ type: 'PUSH', ops: [makeOp({ origin, seq: 1, ts: now, vv: { [victim]: 1e12 + tag }, kind: 'put', key: '0', payload: { value: `byzantine-${tag}` } })] });
        return c.outcome(LINGER_MS);
      }
      default:
        return 'unknown attack';
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Conn {
  socket: net.Socket;
  /** from now on, tag what is sent and check what comes (after AUTH) */
  session(macs: { in: FrameMac; out: FrameMac }): void;
  /** a frame as it goes on the wire (tagged once the session started) */
  seal(m: Message): Buffer;
  send(m: Message): void;
  isClosed(): boolean;
  /** the node's ACK_ID, or null if none came in time */
  ackId(ms: number): Promise<{ id: string; challenge?: Uint8Array } | null>;
  /** waits up to ms: "closed by the node" or "still open" (then closes it) */
  outcome(ms: number): Promise<string>;
}

function dial(host: string, port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const decoder = new FrameDecoder();
    let out: FrameMac | null = null;
    let closed = false;
    let ack: { id: string; challenge?: Uint8Array } | null = null;
    const waiters: (() => void)[] = [];
    const wake = () => { for (const w of waiters.splice(0)) w(); };
    socket.on('error', () => {});
    socket.on('close', () => { closed = true; wake(); });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of decoder.push(chunk)) {
          const m = decodeMessage(f.type, f.payload);
          if (typeof m !== 'string' && m.type === 'ACK_ID') { ack = { id: m.id, challenge: m.challenge }; wake(); }
        }
      } catch { /* the node's frames are not under test */ }
    });
    const until = (ms: number, done: () => boolean) => new Promise<void>((r) => {
      if (done()) return r();
      const t = setTimeout(r, ms);
      waiters.push(() => { if (done()) { clearTimeout(t); r(); } else waiters.push(() => { clearTimeout(t); r(); }); });
    });
    const seal = (m: Message) => { const f = encodeMessage(m); return out ? out.seal(f) : f; };
    const conn: Conn = {
      socket,
      session(macs) { out = macs.out; decoder.mac = macs.in; },
      seal,
      send: (m) => { if (!closed) socket.write(seal(m)); },
      isClosed: () => closed,
      async ackId(ms) { await until(ms, () => ack !== null || closed); return ack; },
      async outcome(ms) {
        await until(ms, () => closed);
        if (closed) return 'closed by the node';
        socket.destroy();
        return 'still open';
      },
    };
    socket.once('connect', () => resolve(conn));
    socket.once('close', () => reject(new Error('connection refused or closed before it opened')));
    setTimeout(() => { if (!socket.connecting) return; socket.destroy(); reject(new Error('connect timed out')); }, 3000);
  });
}

/** the node's refusal counters (maep_ops_rejected_total, maep_peer_auth_failures_total, maep_malformed_frames_total) */
async function refusalCounters(ep: NodeEndpoint): Promise<Record<string, number> | null> {
  if (ep.ports.client === undefined) return null;
  try {
    const res = await fetch(`http://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.ports.client}/metrics`, { signal: AbortSignal.timeout(2000) });
    const text = await res.text();
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^(maep_ops_rejected_total|maep_peer_auth_failures_total|maep_malformed_frames_total)(\{[^}]*\})? (\d+(?:\.\d+)?)$/.exec(line);
      if (m) out[m[1]! + (m[2] ?? '')] = Number(m[3]);
    }
    return out;
  } catch {
    return null;
  }
}

export const MAEP_FAULTS: Record<string, SystemFaultFactory> = {
  byzantine: {
    description: 'a hostile peer: unauthenticated, wrongly authenticated and wire-v1 connections, a held half frame, an oversized frame, a replayed frame, ops with forged ids, implausible seqs and contexts',
    create: ({ runDir }) => new ByzantineFault(() => {
      try { readFileSync(join(runDir, 'maep-cluster.key')); } catch { return null; }
      return new ClusterKey(Buffer.from(clusterKey(runDir).trim(), 'utf8'));
    }),
  },
};
