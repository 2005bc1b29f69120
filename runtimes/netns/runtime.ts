/**
 * NetnsRuntime: every node in its own network namespace with a real network stack, on a bridge
 * the run creates, faults injected by the kernel (see README.md). Implements api/runtime.ts; it
 * knows hosts, not systems: each node runs the command spec.launch(host) gives, inside its
 * namespace, and readiness is spec.probe. Fault rules live inside the namespaces, which outlive
 * the node processes, so a kill or restart never loses them.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ClusterSpec, Grudge, LinkFault, NodeEndpoint, NodeHost, Program, Runtime, RuntimeInfo, SystemNeeds } from '../../api/runtime.ts';
import { NodeClock, type ClockMechanism } from '../local/clock.ts';
import { track, untrack } from '../local/cleanup.ts';
import { commandLine, keepAlive, sleep } from '../local/processes.ts';
import type { DetachedNode } from '../local/detached-state.ts';
import { clockGap, clockMechanismFor } from '../local/serves.ts';
import { removeRun, reapDeadRuns } from './leftovers.ts';
import { runNames } from './names.ts';
import { NodeProc } from './node-proc.ts';
import { bridgeUp, faultsFor, LINK_MECHANISM, nodeUp, type DelayWay } from './plan.ts';
import { must, run } from './shell.ts';
import { ownerOf, listStates, readState, statePath, withLock, writeState, type RunState } from './state.ts';
import { parseProcNetRoute, planSubnet, type NetnsSubnet } from './subnet.ts';
import { Watcher } from './watch.ts';
import { delayWay } from './available.ts';
import { writeNodeFiles } from '../node-files.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface NetnsRuntimeOptions {
  /** how long setup/restart wait for the system's probe to say ready; default 30 s */
  readyTimeoutMs?: number;
  /** how long teardown waits after SIGTERM before SIGKILL; default 3 s */
  stopGraceMs?: number;
  log?: (line: string) => void;
  /**
   * refuse link faults (cannotServe) where delay can only be approximated (htb rate shaping, which
   * leaves an idle link's small messages undelayed) instead of recording the approximation; default false
   */
  exactDelay?: boolean;
}

interface NodeState {
  id: string;
  ns: string;
  ip: string;
  dataDir: string;
  logPath: string;
  clock: NodeClock | null;
  proc: NodeProc | null;
  paused: boolean;
  /** LaunchSpec.files were written (first start only: a node may rewrite its own config) */
  filesWritten: boolean;
  starting?: Promise<void>;
}

/** why clock faults cannot reach this system here, or null (pure but for the libfaketime lookup) */
export function clockProblem(needs: SystemNeeds): string | null {
  return clockGap(needs, 'auto');
}

function tsxLoader(): string {
  return pathToFileURL(createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx')).href;
}

function commandOf(p: Program, tsx: string): string[] {
  return p.kind === 'node-script' ? [process.execPath, '--import', tsx, p.entry] : [p.path];
}

function tail(path: string, lines = 15): string {
  try { return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}

export class NetnsRuntime implements Runtime {
  // the harness keeps a reference to `mechanisms` from before setup (test.json): only mutate it
  readonly info: RuntimeInfo = {
    name: 'netns',
    mechanisms: {
      partition: 'iptables INPUT DROP -s <peer ip> in the receiving node\'s netns (one-way grudges cut one direction only)',
      pause: 'SIGSTOP/SIGCONT to the node\'s process group',
      kill: 'SIGKILL to the node\'s process group + restart on the same data dir',
    },
  };
  private readonly log: (line: string) => void;
  private readonly tsx = tsxLoader();
  private spec: ClusterSpec | null = null;
  private net: NetnsSubnet | null = null;
  private state: RunState | null = null;
  private watcher: Watcher | null = null;
  private clock: ClockMechanism = 'none';
  private delay: DelayWay = 'none';
  private nodes = new Map<string, NodeState>();
  private grudge: Grudge = {};
  private links = new Map<string, LinkFault>();
  /** fault changes, one at a time, each computing every node's rules when its turn comes */
  private netQueue: Promise<void> = Promise.resolve();
  private setupInFlight: Promise<unknown> | null = null;
  private tearing: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly opts: NetnsRuntimeOptions = {}) {
    this.log = opts.log ?? ((l) => console.log(l));
  }

  /** the tag in every name this run created (namespaces sb-<tag>-<id>, bridge sb-<tag>), once set up */
  get runTag(): string | null {
    return this.spec ? runNames(this.spec.runId, []).tag : null;
  }

  cannotServe(needs: SystemNeeds, faultKinds: readonly string[]): string[] {
    // partitions and link faults are kernel rules in each namespace: they reach any system,
    // whether it dials the addresses it is given or announces its own
    const out: string[] = [];
    const gap = faultKinds.includes('clock') ? clockProblem(needs) : null;
    if (gap) out.push(`clock faults cannot reach this system on the netns runtime: ${gap}`);
    if (faultKinds.includes('link') && this.opts.exactDelay && delayWay() !== 'netem') {
      out.push(`link faults cannot be exact on this netns runtime: the kernel has no sch_netem, so delay would only be ${delayWay() === 'htb' ? 'htb rate shaping (small messages on an idle link pass undelayed)' : 'missing (no tc)'}`);
    }
    return out;
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  setup(spec: ClusterSpec): Promise<NodeEndpoint[]> {
    if (this.spec) return Promise.reject(new Error('netns runtime: setup called twice without teardown'));
    if (spec.nodes.length === 0 || new Set(spec.nodes).size !== spec.nodes.length) return Promise.reject(new Error(`netns runtime: bad node list ${spec.nodes.join(',')}`));
    this.spec = spec;
    this.stopping = false;
    this.tearing = null;
    this.nodes = new Map();
    this.grudge = {};
    this.links = new Map();
    this.state = null;
    const p = keepAlive(this.doSetup(spec));
    this.setupInFlight = p;
    return p.finally(() => { this.setupInFlight = null; });
  }

  private checkStopping(): void {
    if (this.stopping) throw new Error('netns runtime: torn down during setup');
  }

  private async doSetup(spec: ClusterSpec): Promise<NodeEndpoint[]> {
    const runDir = resolve(spec.runDir);
    const nodesDir = join(runDir, 'nodes');
    mkdirSync(nodesDir, { recursive: true });
    const names = runNames(spec.runId, spec.nodes);
    try {
      const reaped = reapDeadRuns();
      if (reaped) this.log(`netns: removed ${reaped} leftover run(s) whose harness is gone`);
      const stale = readState(statePath(names.tag));
      if (stale) {
        if (stale.runId !== spec.runId) throw new Error(`netns runtime: run tag ${names.tag} is taken by run ${stale.runId} (pid ${stale.owner.pid})`);
        removeRun(stale); // a run id is unique per run: what carries it is a leftover
      }
      this.clock = clockMechanismFor(spec.needs, 'auto');
      track(this);
      // the watcher first: from the state file on, whatever this run creates has a remover
      this.watcher = await Watcher.start(statePath(names.tag), join(runDir, 'netns-watcher.log'), this.tsx);
      await withLock(async () => {
        const taken = [...parseProcNetRoute(readFileSync('/proc/net/route', 'utf8')), ...listStates().map((s) => s.state.subnet)];
        this.net = planSubnet(spec.runId, spec.nodes, taken);
        this.state = { runId: spec.runId, names, subnet: this.net.subnet, owner: ownerOf(), runDir };
        writeState(this.state);
        for (const c of bridgeUp(names, this.net)) await must(c, `creating bridge ${names.bridge}`);
      });
      for (const id of spec.nodes) {
        this.checkStopping();
        for (const c of nodeUp(names, this.net!, id)) await must(c, `creating node ${id}'s namespace`);
        const dataDir = join(nodesDir, id);
        mkdirSync(dataDir, { recursive: true });
        const clock = this.clock === 'none' ? null : new NodeClock(this.clock, nodesDir, id);
        clock?.set(0);
        this.nodes.set(id, { id, ns: names.ns[id]!, ip: this.net!.ips[id]!, dataDir, logPath: join(nodesDir, `${id}.log`), clock, proc: null, paused: false, filesWritten: false });
      }
      this.delay = delayWay();
      if (this.delay === 'none') this.log('netns: no working tc (install iproute2): link delay is refused, loss still works');
      Object.assign(this.info.mechanisms, {
        network: `netns per node, veth into bridge ${names.bridge} ${this.net!.subnet} (harness at ${this.net!.gateway})`,
        clock: {
          libfaketime: 'libfaketime (LD_PRELOAD, FAKETIME_TIMESTAMP_FILE re-read on every call, monotonic clock real)',
          'offset-file': `clock-offset file read by the node${spec.needs.libfaketime ? ' (libfaketime not installed)' : ''}`,
          none: `none (${clockProblem(spec.needs)})`,
        }[this.clock],
        link: LINK_MECHANISM[this.delay],
      });
      this.checkStopping();
      await Promise.all([...this.nodes.values()].map((n) => this.startNode(n)));
      return this.endpoints();
    } catch (e) {
      this.stopping = true;
      await this.release();
      throw e;
    }
  }

  /** the host a node gets: its namespace's address for binding and announcing, the others' addresses */
  private hostOf(n: NodeState): NodeHost {
    const spec = this.spec!;
    const ports = { ...spec.ports.ports };
    return {
      id: n.id,
      bindHost: n.ip,
      host: n.ip,
      ports,
      dataDir: n.dataDir,
      peers: spec.nodes.filter((p) => p !== n.id).map((p) => ({ id: p, host: this.nodes.get(p)?.ip ?? this.net!.ips[p]!, ports: { ...ports } })),
      ...(n.clock?.offsetFile() ? { clockOffsetFile: n.clock.offsetFile()! } : {}),
    };
  }

  private async startNode(n: NodeState): Promise<void> {
    const spec = this.spec!;
    const launch = spec.launch(this.hostOf(n));
    if (!n.filesWritten) { writeNodeFiles(n.dataDir, launch.files ?? {}); n.filesWritten = true; }
    const [command, ...pre] = commandOf(launch.program, this.tsx);
    n.proc = new NodeProc({
      ns: n.ns, command: command!, args: [...pre, ...launch.args],
      env: { ...process.env, ...spec.env, ...launch.env, ...(n.clock?.env() ?? {}) },
      cwd: this.state!.runDir, logPath: n.logPath,
    });
    n.paused = false;
    await this.waitReady(n);
  }

  private async waitReady(n: NodeState): Promise<void> {
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 30_000);
    const ep = this.endpointOf(n);
    let last = 'not probed yet';
    while (Date.now() < deadline && !this.stopping) {
      if (!n.proc?.running) { last += ` (the process exited: ${JSON.stringify(n.proc?.exited)})`; break; }
      try {
        const r = await this.spec!.probe(ep, AbortSignal.timeout(Math.max(200, Math.min(2000, deadline - Date.now()))));
        if (r.ready) return;
        last = r.detail;
      } catch (e) { last = (e as Error).message; }
      await sleep(100);
    }
    this.checkStopping();
    throw new Error(`netns runtime: ${this.spec!.system} node ${n.id} (${n.ip} in ${n.ns}) did not become ready: ${last}; last log lines:\n${tail(n.logPath)}`);
  }

  private endpointOf(n: NodeState): NodeEndpoint {
    return { id: n.id, host: n.ip, ports: { ...this.spec!.ports.ports } };
  }

  endpoints(): NodeEndpoint[] {
    return [...this.nodes.values()].map((n) => this.endpointOf(n));
  }

  /** the nodes as a detached cluster's state file records them (cluster-daemon.ts); no supervisors here */
  describe(): DetachedNode[] {
    return [...this.nodes.values()].map((n) => {
      const pid = n.proc?.running ? n.proc.pid : null;
      return {
        id: n.id, host: n.ip, ports: { ...this.spec!.ports.ports }, pid, supervisorPid: null, logPath: n.logPath, dataDir: n.dataDir,
        command: pid ? commandLine(pid) : '', supervisorCommand: '',
      };
    });
  }

  /** idempotent; concurrent callers share one teardown; cuts a setup in flight short */
  teardown(): Promise<void> {
    if (!this.spec) return Promise.resolve();
    this.tearing ??= keepAlive((async () => {
      this.stopping = true;
      await this.setupInFlight?.catch(() => {});
      await this.release();
    })());
    return this.tearing;
  }

  /** stop every node gracefully, then remove the run's network; once per setup */
  private async release(): Promise<void> {
    if (!this.spec) return;
    const grace = this.opts.stopGraceMs ?? 3000;
    await Promise.all([...this.nodes.values()].map((n) => n.proc?.stop(grace)));
    await this.netQueue.catch(() => {});
    this.removeNetwork();
    untrack(this);
    this.spec = null;
  }

  private removeNetwork(): void {
    if (this.state) {
      const stuck = removeRun(this.state);
      if (stuck.length) this.log(`netns: processes in ${this.state.names.tag}'s namespaces would not die: ${stuck.join(', ')}`);
    }
    this.state = null;
    this.watcher?.release();
    this.watcher = null;
  }

  /** process 'exit' (normal end without teardown, crash): synchronous, no waiting on nodes */
  killNow(): void {
    for (const n of this.nodes.values()) n.proc?.signal('SIGKILL');
    if (this.state) removeRun(this.state);
    this.state = null;
    this.watcher?.release();
  }

  // ---- process faults --------------------------------------------------------------------------

  private node(id: string): NodeState {
    if (!this.spec) throw new Error('netns runtime: no cluster is up');
    const n = this.nodes.get(id);
    if (!n) throw new Error(`netns runtime: unknown node ${id}`);
    return n;
  }

  async kill(id: string): Promise<void> {
    const n = this.node(id);
    if (!n.proc?.running) return;
    await n.proc.kill();
    n.paused = false;
  }

  async restart(id: string): Promise<void> {
    const n = this.node(id);
    if (n.starting) return n.starting;
    if (n.proc?.running) return;
    n.starting = keepAlive(this.startNode(n)).finally(() => { n.starting = undefined; });
    return n.starting;
  }

  async pause(id: string): Promise<void> {
    const n = this.node(id);
    if (!n.proc?.running || n.paused) return;
    n.proc.signal('SIGSTOP');
    n.paused = true;
  }

  async resume(id: string): Promise<void> {
    if (!this.spec) return;
    const n = this.node(id);
    n.proc?.signal('SIGCONT');
    n.paused = false;
  }

  // ---- network faults --------------------------------------------------------------------------

  /** bring every node's rules to the current fault state, queued behind earlier changes */
  private applyNet(): Promise<void> {
    const next = this.netQueue.then(() => this.applyNetNow());
    this.netQueue = next.catch(() => {});
    return keepAlive(next);
  }

  private async applyNetNow(): Promise<void> {
    if (!this.state || !this.net) return;
    await Promise.all([...this.nodes.values()].map(async (n) => {
      const f = faultsFor(this.state!.names, n.id, this.grudge, this.links, this.net!.ips, this.delay);
      await must(f.iptables, `rules in ${n.ns}`);
      const [del, ...rest] = f.tc;
      if (del) await run(del); // fails harmlessly when no qdisc was set
      for (const c of rest) await must(c, `tc in ${n.ns}`);
    }));
  }

  async partition(grudge: Grudge): Promise<void> {
    if (!this.spec && Object.keys(grudge).length === 0) return;
    for (const [b, as] of Object.entries(grudge)) for (const a of [b, ...as]) this.node(a);
    this.grudge = structuredClone(grudge);
    await this.applyNet();
  }

  async heal(): Promise<void> {
    await this.partition({});
  }

  async setLinkFault(from: string, to: string, fault: LinkFault): Promise<void> {
    const empty = !fault.delayMs && !fault.jitterMs && !fault.loss;
    if (!this.spec && empty) return;
    this.node(from); this.node(to);
    if (!empty && this.delay === 'none' && (fault.delayMs || fault.jitterMs)) {
      throw new Error('netns runtime: link delay needs tc (apt-get install iproute2); only loss works here');
    }
    const key = `${from}->${to}`;
    if (empty) this.links.delete(key); else this.links.set(key, { ...fault });
    await this.applyNet();
  }

  async clearLinkFaults(): Promise<void> {
    if (!this.spec) return;
    this.links.clear();
    await this.applyNet();
  }

  // ---- clock -----------------------------------------------------------------------------------

  private clockOf(id: string, what: string): NodeClock {
    const n = this.node(id);
    if (!n.clock) throw new Error(`clock faults cannot reach ${this.spec!.system} on this runtime: ${clockProblem(this.spec!.needs)} (${what})`);
    return n.clock;
  }

  async setClockOffset(id: string, offsetMs: number): Promise<void> {
    if (!this.spec && offsetMs === 0) return;
    this.clockOf(id, 'setClockOffset').set(offsetMs);
  }

  async freezeClock(id: string, atMs: number): Promise<void> {
    this.clockOf(id, 'freezeClock').freeze(atMs);
  }

  logPath(id: string): string {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`netns runtime: unknown node ${id}`);
    return n.logPath;
  }

  /** the node's data folder, a host folder under the run folder (for the corrupt fault) */
  dataPath(id: string): string {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`netns runtime: unknown node ${id}`);
    return n.dataDir;
  }
}
