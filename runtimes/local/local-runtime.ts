/**
 * The local runtime: every node is a child process on 127.0.0.1, and every directed link A→B is a
 * harness-owned TCP proxy (link-proxy.ts). Node A is told that peer B lives at proxy A→B, so all of
 * A's traffic to B (and B's replies on A's connections) crosses that proxy, where partitions,
 * delay and loss are applied without privileges.
 *
 * Mechanisms (info.mechanisms, recorded in test.json):
 * - partition "proxy-blackhole": grudge[b] = [a] (b drops from a, iptables INPUT -s a DROP on b)
 *   blackholes both proxy a→b and proxy b→a, since with TCP a one-way drop stalls both directions'
 *   connections (handshakes and ACKs are lost both ways).
 * - pause "SIGSTOP/SIGCONT"; kill "SIGKILL+restart" (same data dir, same ports);
 * - clock "libfaketime" or "offset-file" (clock.ts); freezeClock needs libfaketime;
 * - link "proxy-delay": a fault on link from→to delays bytes travelling from `from` to `to`: the
 *   forward direction of proxy from→to and the reply direction of proxy to→from.
 *
 * Layout below the run dir (harness/store-layout.md): nodes/<id>/ data dir, nodes/<id>.log, and the
 * clock file nodes/<id>.faketime or nodes/<id>.clock-offset.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Rng } from '../../api/rng.ts';
import type { ClusterOptions, Grudge, LinkFault, NodeEndpoint, Runtime, RuntimeInfo } from '../../api/runtime.ts';
import { NodeClock, libfaketimePath, type ClockMechanism } from './clock.ts';
import type { DetachedNode } from './detached-state.ts';
import { track, untrack } from './cleanup.ts';
import { httpJson } from './http.ts';
import { LinkProxy, normalizeFault } from './link-proxy.ts';
import { NodeProcess } from './node-process.ts';
import { LOOPBACK, freePorts } from './ports.ts';
import { keepAlive, sleep } from './processes.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LocalRuntimeOptions {
  /** path (or file: URL) of tsx's ESM loader; default: the repo's node_modules/tsx */
  tsxLoader?: string;
  /** the node's entry file, relative to the repo root or absolute; default 'node/main.ts' */
  nodeMain?: string;
  /** how long setup/restart wait for GET /admin/status to answer; default 30 s */
  readyTimeoutMs?: number;
  /** 'auto' (default) uses libfaketime when installed, else the offset file */
  clock?: 'auto' | ClockMechanism;
  /** seed for link jitter and loss; default 1 */
  seed?: number;
  /** how long teardown waits after SIGTERM before SIGKILL; default 3 s */
  stopGraceMs?: number;
  /** picks [peerPort, httpPort] for a node start; default two free ports (tests inject collisions) */
  pickPorts?: () => Promise<[number, number]>;
}

interface LocalNode {
  id: string;
  peerPort: number;
  httpPort: number;
  dataDir: string;
  logPath: string;
  clock: NodeClock;
  clockOffsetMs: number;
  /** the instant the wall clock stands still at, or null when it runs */
  clockFrozenAtMs: number | null;
  proc: NodeProcess | null;
  killed: boolean;
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

const START_ATTEMPTS = 5;
/** how a node's log says its port was taken (Node's error code, or maep's own message) */
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
  readonly info: RuntimeInfo;
  private readonly tsxLoader: string;
  private readonly nodeMain: string;
  private readonly readyTimeoutMs: number;
  private readonly stopGraceMs: number;
  private readonly clockMechanism: ClockMechanism;
  private readonly rng: Rng;
  private readonly pickPorts: () => Promise<[number, number]>;

  private opts: ClusterOptions | null = null;
  private nodes = new Map<string, LocalNode>();
  private proxies = new Map<string, LinkProxy>();
  private grudge: Grudge = {};
  private linkFaults = new Map<string, Required<LinkFault>>();
  private tearingDown: Promise<void> | null = null;
  private aborted = false;
  private readonly inflight = new Set<Promise<unknown>>();
  private lastRunDir: string | null = null;

  constructor(options: LocalRuntimeOptions = {}) {
    this.tsxLoader = resolveTsxLoader(options.tsxLoader);
    const main = options.nodeMain ?? 'node/main.ts';
    this.nodeMain = isAbsolute(main) ? main : join(REPO_ROOT, main);
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.stopGraceMs = options.stopGraceMs ?? 3000;
    const want = options.clock ?? 'auto';
    if (want === 'libfaketime' && !libfaketimePath()) throw new Error('libfaketime is not installed: apt-get install libfaketime, or use the offset-file clock');
    this.clockMechanism = want === 'auto' ? (libfaketimePath() ? 'libfaketime' : 'offset-file') : want;
    this.rng = new Rng(options.seed ?? 1);
    this.pickPorts = options.pickPorts ?? (async () => (await freePorts(2)) as [number, number]);
    this.info = {
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

  // ---- lifecycle -------------------------------------------------------------------------------

  setup(opts: ClusterOptions): Promise<NodeEndpoint[]> {
    return this.inFlight(this.doSetup(opts));
  }

  private async doSetup(opts: ClusterOptions): Promise<NodeEndpoint[]> {
    if (this.opts) throw new Error('LocalRuntime.setup: a cluster is already up; call teardown first');
    const ids = opts.nodes;
    if (ids.length === 0) throw new Error('LocalRuntime.setup: no nodes');
    if (new Set(ids).size !== ids.length) throw new Error(`LocalRuntime.setup: duplicate node ids in ${ids.join(',')}`);
    this.opts = opts;
    this.lastRunDir = resolve(opts.runDir);
    this.tearingDown = null;
    this.aborted = false;
    track(this);
    try {
      const nodesDir = join(resolve(opts.runDir), 'nodes');
      mkdirSync(nodesDir, { recursive: true });
      for (const from of ids) {
        for (const to of ids) {
          if (from === to) continue;
          const proxy = new LinkProxy({ rng: this.rng.fork(`link ${from}->${to}`) });
          this.proxies.set(key(from, to), proxy);
          await proxy.listen();
          this.checkAborted();
        }
      }
      for (const id of ids) {
        const clock = new NodeClock(this.clockMechanism, nodesDir, id);
        clock.set(0);
        const dataDir = join(nodesDir, id);
        mkdirSync(dataDir, { recursive: true });
        this.nodes.set(id, {
          id, peerPort: 0, httpPort: 0, dataDir, logPath: join(nodesDir, `${id}.log`),
          clock, clockOffsetMs: 0, clockFrozenAtMs: null, proc: null, killed: false,
        });
      }
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
    return this.opts === null;
  }

  private async doTeardown(): Promise<void> {
    // heal first so that the fault bookkeeping says "nothing applied" once we are done
    this.grudge = {};
    this.linkFaults.clear();
    for (const p of this.proxies.values()) { p.setBlackholed(false); p.clearFaults(); }
    await Promise.all([...this.nodes.values()].map(async (n) => {
      if (n.proc) await n.proc.stop(this.stopGraceMs);
      n.killed = false;
      if (n.clockOffsetMs !== 0 || n.clockFrozenAtMs !== null) {
        n.clockOffsetMs = 0; n.clockFrozenAtMs = null;
        try { n.clock.set(0); } catch { /* run dir gone */ }
      }
    }));
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    this.proxies.clear();
    this.nodes.clear();
    this.opts = null;
    untrack(this);
  }

  /** synchronous last resort (process exit): SIGKILL every node; proxies die with the process */
  killNow(): void {
    for (const n of this.nodes.values()) n.proc?.killNow();
  }

  endpoints(): NodeEndpoint[] {
    return [...this.nodes.values()].map((n) => ({ id: n.id, http: `http://${LOOPBACK}:${n.httpPort}` }));
  }

  /** also answers after teardown (for the report), as long as a cluster was set up once */
  logPath(node: string): string {
    if (this.opts) return this.node(node).logPath;
    if (this.lastRunDir) return join(this.lastRunDir, 'nodes', `${node}.log`);
    throw new Error('LocalRuntime.logPath: no cluster was set up');
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
    for (const [k, proxy] of this.proxies) proxy.setBlackholed(cut.has(k));
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
    this.proxy(from, to).setFault('forward', f);
    this.proxy(to, from).setFault('backward', f);
    if (f.delayMs === 0 && f.jitterMs === 0 && f.loss === 0) this.linkFaults.delete(key(from, to));
    else this.linkFaults.set(key(from, to), f);
  }

  async clearLinkFaults(): Promise<void> {
    for (const p of this.proxies.values()) p.clearFaults();
    this.linkFaults.clear();
  }

  // ---- clock -----------------------------------------------------------------------------------

  async setClockOffset(node: string, offsetMs: number): Promise<void> {
    if (this.idle && offsetMs === 0) return;
    const n = this.node(node);
    n.clock.set(offsetMs);
    n.clockOffsetMs = offsetMs;
    n.clockFrozenAtMs = null;
  }

  /** libfaketime only: the node's Date.now() returns atMs until the next setClockOffset */
  async freezeClock(node: string, atMs: number): Promise<void> {
    const n = this.node(node);
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
      ports.push(n.peerPort, n.httpPort);
      if (n.proc?.pid) pids.push(n.proc.pid);
      if (n.proc?.supervisorPid) pids.push(n.proc.supervisorPid);
    }
    for (const p of this.proxies.values()) {
      try { ports.push(p.port); } catch { /* closed */ }
    }
    return { pids, ports: ports.filter((p) => p > 0) };
  }

  /** per-node details for the detached cluster's state file */
  describe(): DetachedNode[] {
    return [...this.nodes.values()].map((n) => ({
      id: n.id, http: `http://${LOOPBACK}:${n.httpPort}`, peerPort: n.peerPort,
      pid: n.proc?.pid ?? null, supervisorPid: n.proc?.supervisorPid ?? null, logPath: n.logPath, dataDir: n.dataDir,
    }));
  }

  proxyPorts(): Array<{ from: string; to: string; port: number }> {
    return [...this.proxies.entries()].map(([k, p]) => {
      const [from, to] = k.split('\u0000') as [string, string];
      return { from, to, port: p.port };
    });
  }

  linkProxy(from: string, to: string): LinkProxy {
    return this.proxy(from, to);
  }

  // ---- internals -------------------------------------------------------------------------------

  private node(id: string): LocalNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(this.opts ? `unknown node "${id}" (nodes: ${[...this.nodes.keys()].join(', ')})` : 'LocalRuntime: no cluster is up');
    return n;
  }

  private proxy(from: string, to: string): LinkProxy {
    const p = this.proxies.get(key(from, to));
    if (!p) throw new Error(`no link ${from}→${to}`);
    return p;
  }

  /**
   * Start (or restart) a node and wait until it answers GET /admin/status. Node ports are picked
   * before the node binds them, so another program can take one in between: a start that fails
   * with EADDRINUSE is retried (with fresh ports at first start; a restart keeps its ports, since
   * clients already know the HTTP address, and only retries).
   */
  private async startNode(n: LocalNode, fresh: boolean): Promise<void> {
    const opts = this.opts!;
    for (let attempt = 1; ; attempt++) {
      if (fresh || n.peerPort === 0) {
        [n.peerPort, n.httpPort] = await this.pickPorts();
      }
      for (const [k, p] of this.proxies) if (k.endsWith('\u0000' + n.id)) p.setTarget(n.peerPort);
      const peers = opts.nodes.filter((o) => o !== n.id).map((o) => `${o}@${LOOPBACK}:${this.proxy(n.id, o).port}`);
      const args = [
        '--import', this.tsxLoader, this.nodeMain,
        '--id', n.id,
        '--listen', `${LOOPBACK}:${n.peerPort}`,
        '--http', `${LOOPBACK}:${n.httpPort}`,
        ...(peers.length ? ['--peers', peers.join(',')] : []),
        '--data', n.dataDir,
        ...n.clock.args(),
        ...opts.nodeArgs,
      ];
      const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
      const nodeEnv = n.clock.env();
      if (nodeEnv.LD_PRELOAD && env.LD_PRELOAD) nodeEnv.LD_PRELOAD = `${nodeEnv.LD_PRELOAD}:${env.LD_PRELOAD}`;
      const proc = new NodeProcess({
        id: n.id, command: process.execPath, args, env, nodeEnv, cwd: REPO_ROOT, logPath: n.logPath,
        nodeFlags: ['--import', this.tsxLoader],
      });
      this.checkAborted();
      n.proc = proc;
      let logStart = 0;
      try { logStart = readFileSync(n.logPath).length; } catch { /* new log */ }
      await proc.start();
      const outcome = await this.waitReady(n, proc, logStart);
      if (outcome === 'ready') return;
      this.checkAborted();
      if (outcome === 'addr-in-use' && attempt < START_ATTEMPTS) {
        await sleep(fresh ? 0 : 200 * attempt);
        continue;
      }
      await proc.stop(500);
      throw new Error(outcome === 'timeout'
        ? `node ${n.id} did not answer GET /admin/status within ${this.readyTimeoutMs} ms; last log lines (${n.logPath}):\n${tail(n.logPath)}`
        : `node ${n.id} exited during start (${JSON.stringify(proc.exitInfo)}); last log lines (${n.logPath}):\n${tail(n.logPath)}`);
    }
  }

  private async waitReady(n: LocalNode, proc: NodeProcess, logStart: number): Promise<'ready' | 'exited' | 'addr-in-use' | 'timeout'> {
    const deadline = performance.now() + this.readyTimeoutMs;
    const url = `http://${LOOPBACK}:${n.httpPort}/admin/status`;
    while (performance.now() < deadline) {
      if (this.aborted) return 'exited';
      if (!proc.running) {
        const fresh = (() => { try { return readFileSync(n.logPath).subarray(logStart).toString(); } catch { return ''; } })();
        return ADDR_IN_USE.test(fresh) ? 'addr-in-use' : 'exited';
      }
      try {
        const res = await httpJson(url, { timeoutMs: 1000 });
        // another program on that port would answer differently: insist on our node's id
        if (res.status === 200 && (res.body as { id?: string } | null)?.id === n.id) return 'ready';
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    return 'timeout';
  }
}

function key(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
