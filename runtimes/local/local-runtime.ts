/**
 * The local runtime: every node is a child process on 127.0.0.1, and every directed link A→B is a
 * harness-owned TCP proxy per peer port (link-proxy.ts). It runs whatever program the system's
 * launch() asks for (a ClusterSpec; it knows no system's flags): node A is told that peer B lives
 * at proxy A→B (NodeHost.peers), so all of A's traffic to B (and B's replies on A's connections)
 * crosses that proxy, where partitions, delay and loss are applied without privileges. That only
 * works for systems that dial the peer addresses they are given (SystemNeeds).
 *
 * Mechanisms (info.mechanisms, recorded in test.json):
 * - partition "proxy-blackhole": grudge[b] = [a] (b drops from a, iptables INPUT -s a DROP on b)
 *   blackholes both proxy a→b and proxy b→a, since with TCP a one-way drop stalls both directions'
 *   connections (handshakes and ACKs are lost both ways).
 * - pause "SIGSTOP/SIGCONT"; kill "SIGKILL+restart" (same data dir, same ports);
 * - clock "libfaketime", "offset-file" or "none" (clock.ts, serves.ts); freezeClock needs libfaketime;
 * - link "proxy-delay": a fault on link from→to delays bytes travelling from `from` to `to`: the
 *   forward direction of proxy from→to and the reply direction of proxy to→from.
 *
 * Layout below the run dir (harness/store-layout.md): nodes/<id>/ data dir, nodes/<id>.log, and the
 * clock file nodes/<id>.faketime or nodes/<id>.clock-offset.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Rng } from '../../api/rng.ts';
import type { ClusterSpec, Grudge, LaunchSpec, LinkFault, NodeEndpoint, NodeHost, Runtime, RuntimeInfo, SystemNeeds } from '../../api/runtime.ts';
import { NodeClock, libfaketimePath, type ClockMechanism } from './clock.ts';
import type { DetachedNode } from './detached-state.ts';
import { track, untrack } from './cleanup.ts';
import { LinkProxy, normalizeFault } from './link-proxy.ts';
import { NodeProcess } from './node-process.ts';
import { writeNodeFiles } from '../node-files.ts';
import { LOOPBACK, freePorts } from './ports.ts';
import { commandLine, keepAlive, sleep } from './processes.ts';
import { cannotServeLocally, clockGap, clockMechanismFor, type ClockPreference } from './serves.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LocalRuntimeOptions {
  /** path (or file: URL) of tsx's ESM loader, for node-script programs; default: the repo's node_modules/tsx */
  tsxLoader?: string;
  /** how long setup/restart wait for the system's probe to say ready; default 30 s */
  readyTimeoutMs?: number;
  /** 'auto' (default) uses libfaketime where it reaches the system, else the offset file */
  clock?: ClockPreference;
  /** seed for link jitter and loss; default 1 */
  seed?: number;
  /** how long teardown waits after SIGTERM before SIGKILL; default 3 s */
  stopGraceMs?: number;
  /** picks `count` distinct ports; default free loopback ports (tests inject collisions) */
  pickPorts?: (count: number) => Promise<number[]>;
}

interface LocalNode {
  id: string;
  /** by the system's port names; picked at setup, new ones only when a first start collides */
  ports: Record<string, number>;
  dataDir: string;
  logPath: string;
  /** null when no clock mechanism reaches this system */
  clock: NodeClock | null;
  clockOffsetMs: number;
  /** the instant the wall clock stands still at, or null when it runs */
  clockFrozenAtMs: number | null;
  proc: NodeProcess | null;
  killed: boolean;
  /** LaunchSpec.files were written (before the first start only: a node may rewrite its own config) */
  filesWritten: boolean;
}

/** one proxy: the directed link from → to, for one of the system's peer ports */
interface Link {
  from: string;
  to: string;
  portName: string;
  proxy: LinkProxy;
}

/** faults currently applied, for tests and for the runner's "everything healed" check */
export interface ActiveFaults {
  grudge: Grudge;
  paused: string[];
  killed: string[];
  clockOffsets: Record<string, number>;
  /** nodes whose wall clock is frozen, and at which instant (epoch ms) */
  clockFrozen: Record<string, number>;
  links: Record<string, Required<LinkFault>>;
}

type Ready = { outcome: 'ready' } | { outcome: 'exited' | 'addr-in-use' | 'timeout'; detail: string };

const START_ATTEMPTS = 5;
/** one readiness probe may take this long before it counts as "no answer" */
const PROBE_TIMEOUT_MS = 2000;
/** how a node's log says its port was taken (Node's error code, or a program's own words) */
export const ADDR_IN_USE = /EADDRINUSE|already in use/i;

function resolveTsxLoader(given?: string): string {
  if (given) return given.startsWith('file:') ? given : pathToFileURL(resolve(given)).href;
  const req = createRequire(join(REPO_ROOT, 'package.json'));
  return pathToFileURL(req.resolve('tsx')).href;
}

/** the last lines of a log, for error messages */
export function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export class LocalRuntime implements Runtime {
  private readonly tsxLoader: string;
  private readonly readyTimeoutMs: number;
  private readonly stopGraceMs: number;
  private readonly clockPref: ClockPreference;
  /** the mechanism of the cluster that is up (before setup: what a system that takes both would get) */
  private clockMechanism: ClockMechanism;
  private readonly rng: Rng;
  private readonly pickPorts: (count: number) => Promise<number[]>;

  private spec: ClusterSpec | null = null;
  private nodes = new Map<string, LocalNode>();
  private links: Link[] = [];
  private grudge: Grudge = {};
  private linkFaults = new Map<string, Required<LinkFault>>();
  private tearingDown: Promise<void> | null = null;
  private aborted = false;
  private readonly inflight = new Set<Promise<unknown>>();
  private lastRunDir: string | null = null;

  constructor(options: LocalRuntimeOptions = {}) {
    this.tsxLoader = resolveTsxLoader(options.tsxLoader);
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.stopGraceMs = options.stopGraceMs ?? 3000;
    this.clockPref = options.clock ?? 'auto';
    if (this.clockPref === 'libfaketime' && !libfaketimePath()) throw new Error('libfaketime is not installed: apt-get install libfaketime, or use the offset-file clock');
    this.clockMechanism = clockMechanismFor({ dialsGivenPeerAddresses: true, libfaketime: true, clockOffsetFile: true }, this.clockPref);
    this.rng = new Rng(options.seed ?? 1);
    this.pickPorts = options.pickPorts ?? freePorts;
  }

  get info(): RuntimeInfo {
    return {
      name: 'local',
      mechanisms: {
        partition: 'proxy-blackhole',
        pause: 'SIGSTOP/SIGCONT',
        kill: 'SIGKILL+restart',
        clock: this.clockMechanism,
        link: 'proxy-delay',
      },
    };
  }

  cannotServe(needs: SystemNeeds, faultKinds: readonly string[]): string[] {
    return cannotServeLocally(needs, faultKinds, this.clockPref);
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  setup(spec: ClusterSpec): Promise<NodeEndpoint[]> {
    return this.inFlight(this.doSetup(spec));
  }

  private async doSetup(spec: ClusterSpec): Promise<NodeEndpoint[]> {
    if (this.spec) throw new Error('LocalRuntime.setup: a cluster is already up; call teardown first');
    const ids = spec.nodes;
    if (ids.length === 0) throw new Error('LocalRuntime.setup: no nodes');
    if (new Set(ids).size !== ids.length) throw new Error(`LocalRuntime.setup: duplicate node ids in ${ids.join(',')}`);
    for (const p of spec.ports.peer) if (!(p in spec.ports.ports)) throw new Error(`LocalRuntime.setup: peer port "${p}" is not one of the system's ports (${Object.keys(spec.ports.ports).join(', ')})`);
    this.spec = spec;
    this.clockMechanism = clockMechanismFor(spec.needs, this.clockPref);
    this.lastRunDir = resolve(spec.runDir);
    this.tearingDown = null;
    this.aborted = false;
    track(this);
    try {
      const nodesDir = join(resolve(spec.runDir), 'nodes');
      mkdirSync(nodesDir, { recursive: true });
      for (const from of ids) {
        for (const to of ids) {
          if (from === to) continue;
          for (const portName of spec.ports.peer) {
            const proxy = new LinkProxy({ rng: this.rng.fork(spec.ports.peer.length > 1 ? `link ${from}->${to} ${portName}` : `link ${from}->${to}`) });
            this.links.push({ from, to, portName, proxy });
            await proxy.listen();
            this.checkAborted();
          }
        }
      }
      // every node's ports are known before any starts, so each node's peer list is complete
      const names = Object.keys(spec.ports.ports);
      const picked = await this.pickPorts(names.length * ids.length);
      ids.forEach((id, i) => {
        const mechanism = this.clockMechanism;
        const clock = mechanism === 'none' ? null : new NodeClock(mechanism, nodesDir, id);
        clock?.set(0);
        const dataDir = join(nodesDir, id);
        mkdirSync(dataDir, { recursive: true });
        const ports = Object.fromEntries(names.map((n, j) => [n, picked[i * names.length + j]!]));
        this.nodes.set(id, {
          id, ports, dataDir, logPath: join(nodesDir, `${id}.log`),
          clock, clockOffsetMs: 0, clockFrozenAtMs: null, proc: null, killed: false, filesWritten: false,
        });
      });
      // allSettled: no start may still be under way when a failed setup tears down
      const starts = await Promise.allSettled(ids.map((id) => this.startNode(this.nodes.get(id)!, true)));
      const failed = starts.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return this.endpoints();
    } catch (err) {
      // an outside teardown() is already waiting for this setup to settle; else clean up here
      if (!this.aborted) {
        this.aborted = true;
        this.tearingDown = keepAlive(this.doTeardown());
        await this.tearingDown;
      }
      throw err;
    }
  }

  /**
   * Idempotent, and safe at any moment: during a setup or restart it stops them starting more
   * processes, waits for them to settle, then stops everything (also on Ctrl-C mid-setup).
   */
  teardown(): Promise<void> {
    if (!this.tearingDown) {
      this.aborted = true;
      const pending = [...this.inflight];
      this.tearingDown = keepAlive((async () => {
        await Promise.allSettled(pending);
        await this.doTeardown();
      })());
    }
    return this.tearingDown;
  }

  private inFlight<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = () => { this.inflight.delete(p); };
    p.then(done, done);
    return keepAlive(p);
  }

  private checkAborted(): void {
    if (this.aborted) throw new Error('interrupted: the cluster is being torn down');
  }

  /** no cluster: healing calls are trivially done, other fault calls are errors */
  private get idle(): boolean {
    return this.spec === null;
  }

  private async doTeardown(): Promise<void> {
    // heal first so that the fault bookkeeping says "nothing applied" once we are done
    this.grudge = {};
    this.linkFaults.clear();
    for (const l of this.links) { l.proxy.setBlackholed(false); l.proxy.clearFaults(); }
    await Promise.all([...this.nodes.values()].map(async (n) => {
      if (n.proc) await n.proc.stop(this.stopGraceMs);
      n.killed = false;
      if (n.clockOffsetMs !== 0 || n.clockFrozenAtMs !== null) {
        n.clockOffsetMs = 0; n.clockFrozenAtMs = null;
        try { n.clock?.set(0); } catch { /* run dir gone */ }
      }
    }));
    await Promise.all(this.links.map((l) => l.proxy.close()));
    this.links = [];
    this.nodes.clear();
    this.spec = null;
    untrack(this);
  }

  /** synchronous last resort (process exit): SIGKILL every node; proxies die with the process */
  killNow(): void {
    for (const n of this.nodes.values()) n.proc?.killNow();
  }

  endpoints(): NodeEndpoint[] {
    return [...this.nodes.values()].map((n) => ({ id: n.id, host: LOOPBACK, ports: { ...n.ports } }));
  }

  /** also answers after teardown (for the report), as long as a cluster was set up once */
  logPath(node: string): string {
    if (this.spec) return this.node(node).logPath;
    if (this.lastRunDir) return join(this.lastRunDir, 'nodes', `${node}.log`);
    throw new Error('LocalRuntime.logPath: no cluster was set up');
  }

  /** the node's data folder, a host folder under the run folder (for the corrupt fault) */
  dataPath(node: string): string {
    return this.node(node).dataDir;
  }

  // ---- processes -------------------------------------------------------------------------------

  async kill(node: string): Promise<void> {
    const n = this.node(node);
    await this.inFlight(n.proc?.kill() ?? Promise.resolve());
    n.killed = true;
  }

  async restart(node: string): Promise<void> {
    const n = this.node(node);
    if (n.proc?.running) throw new Error(`cannot restart ${node}: it is running (kill it first)`);
    await this.inFlight(this.startNode(n, false));
    n.killed = false;
  }

  async pause(node: string): Promise<void> {
    const n = this.node(node);
    if (!n.proc?.running) throw new Error(`cannot pause ${node}: it is not running`);
    n.proc.pause();
  }

  async resume(node: string): Promise<void> {
    if (this.idle) return;
    this.node(node).proc?.resume();
  }

  // ---- network ---------------------------------------------------------------------------------

  async partition(grudge: Grudge): Promise<void> {
    if (this.idle && Object.values(grudge).every((v) => v.length === 0)) return;
    const cut = new Set<string>();
    for (const [b, froms] of Object.entries(grudge)) {
      this.node(b);
      for (const a of froms) {
        this.node(a);
        if (a === b) continue;
        cut.add(key(a, b));
        cut.add(key(b, a));
      }
    }
    for (const l of this.links) l.proxy.setBlackholed(cut.has(key(l.from, l.to)));
    this.grudge = Object.fromEntries(Object.entries(grudge).filter(([, v]) => v.length > 0).map(([k, v]) => [k, [...v]]));
  }

  async heal(): Promise<void> {
    await this.partition({});
  }

  async setLinkFault(from: string, to: string, fault: LinkFault): Promise<void> {
    if (this.idle && !fault.delayMs && !fault.jitterMs && !fault.loss) return;
    this.node(from); this.node(to);
    if (from === to) throw new Error(`setLinkFault: ${from}→${to} is not a link`);
    const f = normalizeFault(fault);
    for (const l of this.linksBetween(from, to)) l.proxy.setFault('forward', f);
    for (const l of this.linksBetween(to, from)) l.proxy.setFault('backward', f);
    if (f.delayMs === 0 && f.jitterMs === 0 && f.loss === 0) this.linkFaults.delete(key(from, to));
    else this.linkFaults.set(key(from, to), f);
  }

  async clearLinkFaults(): Promise<void> {
    for (const l of this.links) l.proxy.clearFaults();
    this.linkFaults.clear();
  }

  // ---- clock -----------------------------------------------------------------------------------

  async setClockOffset(node: string, offsetMs: number): Promise<void> {
    if (this.idle && offsetMs === 0) return;
    const n = this.node(node);
    if (!n.clock) {
      if (offsetMs === 0) return; // nothing was ever moved: a reset is trivially done
      throw this.noClock();
    }
    n.clock.set(offsetMs);
    n.clockOffsetMs = offsetMs;
    n.clockFrozenAtMs = null;
  }

  /** libfaketime only: the node's Date.now() returns atMs until the next setClockOffset */
  async freezeClock(node: string, atMs: number): Promise<void> {
    const n = this.node(node);
    if (!n.clock) throw this.noClock();
    n.clock.freeze(atMs);
    n.clockFrozenAtMs = atMs;
    n.clockOffsetMs = 0;
  }

  // ---- introspection (local-only, for tests and the detached cluster) --------------------------

  activeFaults(): ActiveFaults {
    const nodes = [...this.nodes.values()];
    return {
      grudge: structuredClone(this.grudge),
      paused: nodes.filter((n) => n.proc?.paused).map((n) => n.id),
      killed: nodes.filter((n) => n.killed).map((n) => n.id),
      clockOffsets: Object.fromEntries(nodes.filter((n) => n.clockOffsetMs !== 0).map((n) => [n.id, n.clockOffsetMs])),
      clockFrozen: Object.fromEntries(nodes.filter((n) => n.clockFrozenAtMs !== null).map((n) => [n.id, n.clockFrozenAtMs!])),
      links: Object.fromEntries(this.linkFaults),
    };
  }

  /** every pid and port this cluster uses now (nodes, supervisors, node ports, proxy ports) */
  resources(): { pids: number[]; ports: number[] } {
    const pids: number[] = [];
    const ports: number[] = [];
    for (const n of this.nodes.values()) {
      ports.push(...Object.values(n.ports));
      if (n.proc?.pid) pids.push(n.proc.pid);
      if (n.proc?.supervisorPid) pids.push(n.proc.supervisorPid);
    }
    for (const l of this.links) {
      try { ports.push(l.proxy.port); } catch { /* closed */ }
    }
    return { pids, ports: ports.filter((p) => p > 0) };
  }

  /** per-node details for the detached cluster's state file (command lines: to know a pid is still ours) */
  describe(): DetachedNode[] {
    return [...this.nodes.values()].map((n) => {
      const pid = n.proc?.pid ?? null;
      const supervisorPid = n.proc?.supervisorPid ?? null;
      return {
        id: n.id, host: LOOPBACK, ports: { ...n.ports }, pid, supervisorPid, logPath: n.logPath, dataDir: n.dataDir,
        command: pid ? commandLine(pid) : '', supervisorCommand: supervisorPid ? commandLine(supervisorPid) : '',
      };
    });
  }

  proxyPorts(): Array<{ from: string; to: string; portName: string; port: number }> {
    return this.links.map((l) => ({ from: l.from, to: l.to, portName: l.portName, port: l.proxy.port }));
  }

  /** the proxy of link from→to for one peer port (default: the system's first peer port) */
  linkProxy(from: string, to: string, portName?: string): LinkProxy {
    const name = portName ?? this.spec?.ports.peer[0];
    const l = this.links.find((x) => x.from === from && x.to === to && x.portName === name);
    if (!l) throw new Error(`no link ${from}→${to}${portName ? ` for port ${portName}` : ''}`);
    return l.proxy;
  }

  // ---- internals -------------------------------------------------------------------------------

  private node(id: string): LocalNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(this.spec ? `unknown node "${id}" (nodes: ${[...this.nodes.keys()].join(', ')})` : 'LocalRuntime: no cluster is up');
    return n;
  }

  private linksBetween(from: string, to: string): Link[] {
    const ls = this.links.filter((l) => l.from === from && l.to === to);
    if (ls.length === 0 && this.spec!.ports.peer.length > 0) throw new Error(`no link ${from}→${to}`);
    return ls;
  }

  private noClock(): Error {
    const spec = this.spec!;
    return new Error(`clock faults cannot reach ${spec.system} on the local runtime: ${clockGap(spec.needs, this.clockPref)}`);
  }

  /** what the system is told about one node: its own address, ports, data dir, and its peers behind the proxies */
  private host(n: LocalNode): NodeHost {
    const spec = this.spec!;
    const peers = spec.nodes.filter((o) => o !== n.id).map((o) => {
      const other = this.nodes.get(o)!;
      const ports = Object.fromEntries(Object.entries(other.ports).map(([name, port]) => [
        name, spec.ports.peer.includes(name) ? this.linkProxy(n.id, o, name).port : port,
      ]));
      return { id: o, host: LOOPBACK, ports };
    });
    const clockOffsetFile = n.clock?.offsetFile();
    return {
      id: n.id, bindHost: LOOPBACK, host: LOOPBACK, ports: { ...n.ports }, dataDir: n.dataDir, peers,
      ...(clockOffsetFile ? { clockOffsetFile } : {}),
    };
  }

  /** a Program as a command on this machine: node scripts through tsx, binaries as they are */
  private argv(launch: LaunchSpec): string[] {
    const p = launch.program;
    return p.kind === 'node-script'
      ? [process.execPath, '--import', this.tsxLoader, p.entry, ...launch.args]
      : [p.path, ...launch.args];
  }

  /**
   * Start (or restart) a node and wait until the system's probe says ready. Node ports are picked
   * before the node binds them, so another program can take one in between: a start that fails
   * with EADDRINUSE is retried (with fresh ports at first start; a restart keeps its ports, since
   * clients already know its address, and only retries).
   */
  private async startNode(n: LocalNode, fresh: boolean): Promise<void> {
    const spec = this.spec!;
    const names = Object.keys(spec.ports.ports);
    for (let attempt = 1; ; attempt++) {
      if (fresh && attempt > 1) {
        const picked = await this.pickPorts(names.length);
        n.ports = Object.fromEntries(names.map((name, j) => [name, picked[j]!]));
      }
      for (const l of this.links) if (l.to === n.id) l.proxy.setTarget(n.ports[l.portName]!);
      const launch = spec.launch(this.host(n));
      if (!n.filesWritten) { writeNodeFiles(n.dataDir, launch.files ?? {}); n.filesWritten = true; }
      const [command, ...args] = this.argv(launch);
      const env: NodeJS.ProcessEnv = { ...process.env, ...launch.env, ...spec.env };
      const nodeEnv = n.clock?.env() ?? {};
      if (nodeEnv.LD_PRELOAD && env.LD_PRELOAD) nodeEnv.LD_PRELOAD = `${nodeEnv.LD_PRELOAD}:${env.LD_PRELOAD}`;
      const proc = new NodeProcess({
        id: n.id, command: command!, args, env, nodeEnv, cwd: REPO_ROOT, logPath: n.logPath,
        nodeFlags: ['--import', this.tsxLoader],
      });
      this.checkAborted();
      n.proc = proc;
      let logStart = 0;
      try { logStart = readFileSync(n.logPath).length; } catch { /* new log */ }
      await proc.start();
      const r = await this.waitReady(n, proc, logStart);
      if (r.outcome === 'ready') return;
      this.checkAborted();
      if (r.outcome === 'addr-in-use' && attempt < START_ATTEMPTS) {
        await sleep(fresh ? 0 : 200 * attempt);
        continue;
      }
      await proc.stop(500);
      throw new Error(r.outcome === 'timeout'
        ? `node ${n.id} did not become ready within ${this.readyTimeoutMs} ms: ${r.detail}; last log lines (${n.logPath}):\n${tail(n.logPath)}`
        : `node ${n.id} exited during start (${JSON.stringify(proc.exitInfo)}); last log lines (${n.logPath}):\n${tail(n.logPath)}`);
    }
  }

  /** poll the system's probe until it says ready, the process exits, or the ready timeout passes */
  private async waitReady(n: LocalNode, proc: NodeProcess, logStart: number): Promise<Ready> {
    const deadline = performance.now() + this.readyTimeoutMs;
    const endpoint: NodeEndpoint = { id: n.id, host: LOOPBACK, ports: { ...n.ports } };
    let detail = 'no probe answered yet';
    while (performance.now() < deadline) {
      if (this.aborted) return { outcome: 'exited', detail: 'interrupted' };
      if (!proc.running) {
        const fresh = (() => { try { return readFileSync(n.logPath).subarray(logStart).toString(); } catch { return ''; } })();
        return { outcome: ADDR_IN_USE.test(fresh) ? 'addr-in-use' : 'exited', detail };
      }
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      try {
        const r = await this.spec!.probe(endpoint, ac.signal);
        if (r.ready) return { outcome: 'ready' };
        detail = r.detail;
      } catch (err) {
        detail = (err as Error).message;
      } finally {
        clearTimeout(timer);
      }
      await sleep(50);
    }
    return { outcome: 'timeout', detail };
  }
}

function key(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
