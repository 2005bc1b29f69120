/**
 * The simulator as a Runtime: N cores of a system's pure core (System.sim) in this process, on
 * simulated time (scheduler.ts), network (network.ts), clocks (clock.ts) and disks (disk.ts). The
 * nemesis' faults act on those through the same Runtime calls as on real hosts. System-neutral:
 * it knows the SimSystem contract (api/sim.ts), nothing of any system's messages or requests.
 *
 * Connections: a node dials each peer; the dial comes up one round trip after both ends can talk
 * (start, restart, end of a cut), and then the core hears `linkUp`. A connection over which nothing
 * arrived for `deadAfterMs` (a cut, a paused peer) is dropped and redialed, as a TCP keepalive
 * would; a killed peer's connections die at once (a reset).
 */
import type { Grudge, LinkFault, NodeEndpoint, Runtime, RuntimeInfo, SystemNeeds, ClusterSpec } from '../../api/runtime.ts';
import type { SimCallOutcome, SimHost, SimNode, SimSystem } from '../../api/sim.ts';
import type { SystemRun } from '../../api/system.ts';
import { Rng } from '../../api/rng.ts';
import { Scheduler, Waiter } from './scheduler.ts';
import { SimNetwork, DEFAULT_NET, type NetOptions } from './network.ts';
import { SimClock, SIM_EPOCH_MS } from './clock.ts';
import { SimDiskState, DEFAULT_DISK_TIMING, type DiskTiming } from './disk.ts';

export interface SimOptions {
  seed: number;
  net?: Partial<NetOptions>;
  disk?: Partial<DiskTiming>;
  /** a connection that heard nothing for this long is dropped and redialed */
  deadAfterMs?: number;
  /** keep node log lines in memory (for the run folder) */
  keepLogs?: boolean;
}

interface Conn { peer: string; state: 'down' | 'dialing' | 'up'; lastHeard: number }

interface Slot {
  id: string;
  clock: SimClock;
  disk: SimDiskState;
  /** bumped at every crash and restart: timers, messages and answers of an older life are void */
  life: number;
  state: 'up' | 'down' | 'paused';
  core: SimNode | null;
  /** work that arrived while paused, run at resume in arrival order */
  parked: (() => void)[];
  conns: Map<string, Conn>;
  logs: string[];
}

export const SIM_MECHANISMS: Record<string, string> = {
  time: 'simulated: every time in the history is simulated time (an event queue), not wall-clock time',
  partition: 'simulated network: messages across a grudge are dropped, also in flight',
  pause: 'the core gets no ticks, messages or requests until resumed (they queue)',
  kill: 'machine crash: the core is dropped, its disk keeps only synced (or written-back) bytes, maybe a torn record',
  clock: 'simulated per-node wall clock: offsets and freezes',
  link: 'simulated per-link delay, jitter and loss',
};

export class SimRuntime implements Runtime {
  readonly info: RuntimeInfo = { name: 'sim', mechanisms: SIM_MECHANISMS };
  readonly sched = new Scheduler();
  readonly net: SimNetwork;
  private readonly rng: Rng;
  private readonly diskRng: Rng;
  private slots = new Map<string, Slot>();
  private system: SimSystem | null = null;
  private run: SystemRun | null = null;
  private readonly deadAfterMs: number;
  private readonly diskTiming: DiskTiming;

  constructor(readonly opts: SimOptions) {
    this.rng = new Rng(opts.seed).fork('sim');
    this.diskRng = this.rng.fork('disk');
    this.net = new SimNetwork(this.sched, this.rng.fork('net'), { ...DEFAULT_NET, ...opts.net });
    this.deadAfterMs = opts.deadAfterMs ?? 2000;
    this.diskTiming = { ...DEFAULT_DISK_TIMING, ...opts.disk };
  }

  /** the system's pure core and the run it is part of; before setup */
  attach(system: SimSystem, run: SystemRun): void {
    this.system = system;
    this.run = run;
  }

  cannotServe(_needs: SystemNeeds, _faultKinds: readonly string[]): string[] {
    return [];
  }

  async setup(spec: ClusterSpec): Promise<NodeEndpoint[]> {
    if (!this.system || !this.run) throw new Error(`the sim runtime needs the system's pure core: ${spec.system} has no System.sim`);
    for (const id of spec.nodes) {
      const clock = new SimClock(this.sched);
      this.slots.set(id, {
        id, clock, disk: new SimDiskState(() => this.sched.now, this.diskTiming), life: 0, state: 'down', core: null,
        parked: [], conns: new Map(spec.nodes.filter((p) => p !== id).map((p) => [p, { peer: p, state: 'down', lastHeard: 0 }])), logs: [],
      });
    }
    for (const id of spec.nodes) this.boot(this.slot(id));
    return this.endpoints();
  }

  async teardown(): Promise<void> {
    for (const s of this.slots.values()) { s.life++; s.state = 'down'; s.core = null; s.parked = []; }
  }

  endpoints(): NodeEndpoint[] {
    return [...this.slots.keys()].map((id) => ({ id, host: 'sim', ports: {} }));
  }

  /** node log lines kept (keepLogs) */
  logs(node: string): readonly string[] { return this.slot(node).logs; }

  private slot(id: string): Slot {
    const s = this.slots.get(id);
    if (!s) throw new Error(`no node ${id} in the simulation`);
    return s;
  }

  /** a timer of one life of a node: void after a crash; queued while the node is paused */
  private nodeAfter(s: Slot, ms: number, fn: () => void): void {
    const life = s.life;
    this.sched.after(ms, () => {
      if (s.life !== life) return;
      if (s.state === 'paused') { s.parked.push(() => { if (s.life === life) fn(); }); return; }
      fn();
    });
  }

  private boot(s: Slot): void {
    s.life++;
    s.state = 'up';
    s.parked = [];
    for (const c of s.conns.values()) c.state = 'down';
    const nodeRng = this.rng.fork(`node:${s.id}:${s.life}`);
    const host: SimHost = {
      id: s.id,
      peers: [...s.conns.keys()],
      wallNow: () => s.clock.wallNow(),
      monoNow: () => s.clock.monoNow(),
      random: () => nodeRng.next(),
      send: (to, msg) => this.send(s, to, msg),
      after: (ms, fn) => this.nodeAfter(s, ms, fn),
      disk: s.disk.handle((ms, fn) => this.nodeAfter(s, ms, fn)),
      log: (line) => { if (this.opts.keepLogs) s.logs.push(`${(this.sched.now / 1000).toFixed(3)} ${s.id} ${line}`); },
    };
    s.core = this.system!.boot(host, this.run!);
    const tickMs = this.system!.tickMs;
    const tick = () => {
      if (s.state === 'up' && s.core) { this.checkConns(s); s.core.tick(); }
      this.nodeAfterEvenPaused(s, tickMs, tick);
    };
    this.nodeAfterEvenPaused(s, this.rng.next() * tickMs, tick);
  }

  /** the ticker keeps its beat through a pause (one tick at resume, like a timer that fired late) */
  private nodeAfterEvenPaused(s: Slot, ms: number, fn: () => void): void {
    const life = s.life;
    this.sched.after(ms, () => { if (s.life === life) fn(); });
  }

  private send(s: Slot, to: string, msg: unknown): void {
    const conn = s.conns.get(to);
    const peer = this.slots.get(to);
    // the reply path: a message goes over a live connection either way (dialed by s, or by the peer)
    if (!peer || (conn?.state !== 'up' && peer.conns.get(s.id)?.state !== 'up')) return;
    const peerLife = peer.life;
    // (no named closures on this hot path: tsx wraps each in a naming helper)
    this.net.transmit(s.id, to, () => {
      if (peer.life !== peerLife || peer.state === 'down' || !peer.core) return;
      if (peer.state === 'paused') peer.parked.push(() => this.deliver(peer, peerLife, s.id, msg));
      else this.deliver(peer, peerLife, s.id, msg);
    });
  }

  private deliver(peer: Slot, life: number, from: string, msg: unknown): void {
    if (peer.life !== life || !peer.core) return;
    const back = peer.conns.get(from);
    if (back) back.lastHeard = this.sched.now;
    peer.core.receive(from, msg);
  }

  /** drop silent connections; dial peers that can be reached */
  private checkConns(s: Slot): void {
    const now = this.sched.now;
    // (values, not [id, conn] entries: this runs every tick of every node)
    for (const c of s.conns.values()) {
      const p = c.peer;
      const peer = this.slots.get(p)!;
      if (c.state === 'up' && now - c.lastHeard > this.deadAfterMs) c.state = 'down';
      if (c.state !== 'down' || peer.state !== 'up' || this.net.cut(s.id, p) || this.net.cut(p, s.id)) continue;
      c.state = 'dialing';
      const rtt = this.net.latency(s.id, p) + this.net.latency(p, s.id);
      this.nodeAfter(s, rtt, () => {
        if (c.state !== 'dialing') return;
        if (peer.state !== 'up' || this.net.cut(s.id, p) || this.net.cut(p, s.id)) { c.state = 'down'; return; }
        c.state = 'up';
        c.lastHeard = this.sched.now;
        s.core?.linkUp(p);
      });
    }
  }

  /**
   * A client request to a node (the harness is never cut from the nodes, as on real runtimes):
   * a down node refuses; a paused one holds the request; no answer within timeoutMs is a timeout.
   */
  call(node: string, req: unknown, timeoutMs: number, signal: AbortSignal): Promise<SimCallOutcome> {
    const s = this.slot(node);
    return new Promise((resolve) => {
      // (a Waiter and a method, no named closures: tsx wraps each in a naming helper, and this is per op)
      const call = new Waiter<SimCallOutcome>(resolve, signal, timedOut);
      this.sched.after(timeoutMs, () => call.fire(timedOut()));
      const oneWay = this.net.opts.latencyMs;
      this.sched.after(oneWay, () => {
        if (s.state === 'down' || !s.core) { this.sched.after(oneWay, () => call.fire({ kind: 'refused' })); return; }
        const life = s.life;
        if (s.state === 'paused') s.parked.push(() => this.handle(s, life, req, oneWay, call)); else this.handle(s, life, req, oneWay, call);
      });
    });
  }

  /** a request reaches a node that is up (in the life it arrived in); its answer travels back */
  private handle(s: Slot, life: number, req: unknown, oneWay: number, call: Waiter<SimCallOutcome>): void {
    if (s.life !== life || !s.core) return;
    s.core.request(req, (answer) => {
      if (s.life !== life) return;
      this.sched.after(oneWay, () => call.fire({ kind: 'answer', answer }));
    });
  }

  async kill(node: string): Promise<void> {
    const s = this.slot(node);
    if (s.state === 'down') return;
    s.life++;
    s.state = 'down';
    s.core = null;
    s.parked = [];
    const lost = s.disk.crash(this.diskRng);
    if (this.opts.keepLogs) s.logs.push(`${(this.sched.now / 1000).toFixed(3)} ${s.id} [sim] crashed: ${lost.lostBytes} unsynced bytes lost, ${lost.tornBytes} torn bytes kept`);
    for (const c of s.conns.values()) c.state = 'down';
    for (const o of this.slots.values()) { const c = o.conns.get(node); if (c) c.state = 'down'; }
  }

  async restart(node: string): Promise<void> {
    const s = this.slot(node);
    if (s.state !== 'down') throw new Error(`restart ${node}: it is not down`);
    this.boot(s);
  }

  async pause(node: string): Promise<void> {
    const s = this.slot(node);
    if (s.state === 'up') s.state = 'paused';
  }

  async resume(node: string): Promise<void> {
    const s = this.slot(node);
    if (s.state !== 'paused') return;
    s.state = 'up';
    const work = s.parked;
    s.parked = [];
    for (const w of work) w();
  }

  async partition(grudge: Grudge): Promise<void> { this.net.setGrudge(grudge); }
  async heal(): Promise<void> { this.net.setGrudge({}); }

  async setClockOffset(node: string, offsetMs: number): Promise<void> { this.slot(node).clock.setOffset(offsetMs); }
  async freezeClock(node: string, atMs: number): Promise<void> { this.slot(node).clock.freeze(atMs); }

  async setLinkFault(from: string, to: string, fault: LinkFault): Promise<void> { this.net.setLinkFault(from, to, fault); }
  async clearLinkFaults(): Promise<void> { this.net.clearLinkFaults(); }

  logPath(node: string): string { return `nodes/${node}.log`; }

  /** the harness's own wall clock in the simulation (no offset): a clock freeze's instant */
  wallNow(): number { return SIM_EPOCH_MS + this.sched.now; }

  /** for tests: is the node up, down or paused */
  stateOf(node: string): Slot['state'] { return this.slot(node).state; }
}

/** what a call that got no answer in time (or whose signal aborted) comes to */
function timedOut(): SimCallOutcome { return { kind: 'timeout' }; }
