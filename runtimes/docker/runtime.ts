/**
 * DockerRuntime: each node of the system under test in its own container on a private bridge
 * network, every fault injected inside the containers (see README.md). Implements api/runtime.ts:
 * it knows hosts, not systems: the image holds the programs the ClusterSpec declares, each
 * container runs the command spec.launch(host) gives, and readiness is spec.probe.
 * Fault state (grudge, link faults, clock offsets) is kept here and re-applied whenever a container
 * gets a new network namespace (restart) or becomes reachable again (resume, for docker exec).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeNodeFiles } from '../node-files.ts';
import { tarOf } from './tar.ts';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { ClusterSpec, Grudge, LinkFault, NodeEndpoint, NodeHost, Runtime, RuntimeInfo, SystemNeeds } from '../../api/runtime.ts';
import { FAKETIME_DIR, faketimeEnv } from './clock.ts';
import { faketimeFrozenSpec, faketimeSpec } from '../faketime.ts';
import { docker, engineIsLocal, NODE_LABEL, OWNER_LABEL, ownerLabel, RUN_LABEL } from './engine.ts';
import { ensureImage, IMAGE_NODE, programCommand, programProblem, type ImageResult } from './image.ts';
import { findFaketime } from './rootfs.ts';
import { nsenterUsable, runInNetns, type NetExecKind } from './netexec.ts';
import { chainSetup, iptablesFor, tcFor } from './netplan.ts';
import { registerRun, removeRun, reapOrphans, unregisterRun } from './cleanup.ts';
import { parseProcNetRoute, planSubnet, type SubnetPlan } from './subnet.ts';

/** the node's data folder inside its container */
export const DATA_DIR = '/data';
/** the clock offset file (ms) inside the container, for systems with SystemNeeds.clockOffsetFile */
export const CLOCK_OFFSET_FILE = `${FAKETIME_DIR}/clock-offset`;

/** how a node's wall clock is faked here: libfaketime, the system's own offset file, or not at all */
export type ClockWay = 'libfaketime' | 'offset-file' | 'none';

/** the clock way for a system's needs, given whether libfaketime is in the image (pure) */
export function clockWay(needs: SystemNeeds, haveFaketime: boolean): ClockWay {
  if (needs.libfaketime && haveFaketime) return 'libfaketime';
  if (needs.clockOffsetFile) return 'offset-file';
  return 'none';
}

/** why clock faults cannot reach a system with these needs here (null when they can) (pure) */
export function clockProblem(needs: SystemNeeds, haveFaketime: boolean): string | null {
  if (clockWay(needs, haveFaketime) !== 'none') return null;
  if (needs.libfaketime) return 'libfaketime is not installed on the docker host (apt-get install libfaketime) and the system reads no clock-offset file';
  return 'libfaketime does not reach its clock (needs.libfaketime false) and it reads no clock-offset file (needs.clockOffsetFile false)';
}

export interface DockerRuntimeOptions {
  /** base image for the Dockerfile path (a); default node:<major>-bookworm-slim */
  baseImage?: string;
  /** never try the Dockerfile path (a) */
  forceRootfs?: boolean;
  /** how to run iptables/tc in a container; default nsenter when usable, else docker exec */
  netExec?: NetExecKind;
  /** a cluster that outlives this process (`cluster up`): owner "detached", no exit-hook reaping */
  detached?: boolean;
  /** behave as with a remote engine even on a local socket: no bind mounts, no nsenter (tests) */
  remote?: boolean;
  /** how long setup/restart wait for the system's probe to say ready, default 30 s */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

/** a file in the node's FAKETIME_DIR that sets its wall clock */
interface ClockFile { name: 'faketime' | 'clock-offset'; text: string }

interface NodeState {
  id: string;
  ip: string;
  container: Docker.Container;
  /** the command and environment the container was created with (a changed launch recreates it) */
  launchKey: string;
  /** the logs of this node's earlier containers (replaced because the system's launch changed) */
  priorLog: string;
  pid: number;
  /** rules could not be applied (paused under docker exec, or stopped): apply when it runs again */
  netDirty: boolean;
  /** serialises rule changes for this node (see applyNet) */
  netQueue: Promise<void>;
  /** a restart in flight */
  starting?: Promise<void>;
  paused: boolean;
  running: boolean;
}

export class DockerRuntime implements Runtime {
  // the controller keeps a reference to `mechanisms` from before setup (test.json): only ever
  // mutate this object; setup adds what depends on probes (image path, netem, libfaketime)
  readonly info: RuntimeInfo = {
    name: 'docker',
    mechanisms: {
      partition: 'iptables INPUT DROP (receiver netns)',
      pause: 'docker pause (cgroup freezer)',
      kill: 'docker kill (SIGKILL) + docker start',
    },
  };
  private readonly log: (line: string) => void;
  private opts: ClusterSpec | undefined;
  private clock: ClockWay = 'none';
  private plan: SubnetPlan | undefined;
  private image: ImageResult | undefined;
  private network: Docker.Network | undefined;
  private nodes = new Map<string, NodeState>();
  private grudge: Grudge = {};
  private links = new Map<string, LinkFault>();
  private netExec: NetExecKind = 'docker exec';
  private delay: 'netem' | 'htb' | 'none' = 'none';
  /** lifecycle: setup in flight (teardown waits for it, and it stops early once `stopping`) */
  private setupInFlight: Promise<unknown> | null = null;
  private stopping = false;
  private tearing: Promise<void> | null = null;
  private released = true;
  private readonly reg = { runId: '', teardown: () => this.teardown() };

  /** engine on this machine: bind mounts into the run folder and nsenter work */
  private readonly local: boolean;

  constructor(private readonly ro: DockerRuntimeOptions = {}) {
    this.log = ro.log ?? ((l) => console.log(l));
    this.local = !ro.remote && engineIsLocal();
  }

  private owner(): string {
    return this.ro.detached ? `${hostname()}:detached` : ownerLabel();
  }

  /** the image for this spec's programs (built once per runtime object) */
  async prepareImage(spec: ClusterSpec): Promise<ImageResult> {
    this.image ??= await ensureImage({
      programs: spec.programs, system: spec.system, faketime: spec.needs.libfaketime,
      baseImage: this.ro.baseImage, forceRootfs: this.ro.forceRootfs, log: this.log,
    });
    return this.image;
  }

  cannotServe(needs: SystemNeeds, faultKinds: readonly string[]): string[] {
    // partitions and link faults are iptables/tc in each container's netns: they reach any system,
    // whether it dials the addresses it is given or announces its own
    const out: string[] = [];
    if (faultKinds.includes('clock')) {
      const why = clockProblem(needs, !!findFaketime());
      if (why) out.push(`clock faults cannot reach this system on docker: ${why}`);
    }
    if (faultKinds.includes('corrupt') && !this.local) out.push('corrupt faults need the data folders on this machine: a remote docker engine keeps them in volumes (use a local engine)');
    return out;
  }

  setup(opts: ClusterSpec): Promise<NodeEndpoint[]> {
    if (!this.released) return Promise.reject(new Error('docker runtime: setup called twice without teardown'));
    this.opts = opts;
    this.released = false;
    this.stopping = false;
    this.tearing = null;
    this.nodes = new Map();
    this.grudge = {};
    this.links = new Map();
    this.clockFiles = new Map();
    this.reg.runId = opts.runId;
    registerRun(this.reg);
    const p = this.doSetup(opts);
    this.setupInFlight = p;
    return p;
  }

  /** a teardown (Ctrl-C) during setup: stop at the next step instead of creating more */
  private checkStopping(): void {
    if (this.stopping) throw new Error('docker runtime: torn down during setup');
  }

  private async doSetup(opts: ClusterSpec): Promise<NodeEndpoint[]> {
    try {
      // a run id is unique per run: anything already carrying it is a stale leftover
      await removeRun(opts.runId);
      const reaped = await reapOrphans();
      if (reaped) this.log(`docker: removed ${reaped} leftovers of earlier runs whose harness is gone`);
      for (const p of opts.programs) {
        const problem = programProblem(p);
        if (problem) throw new Error(`docker runtime: ${opts.system}: ${problem}`);
      }
      const image = await this.prepareImage(opts);
      this.clock = clockWay(opts.needs, !!image.faketime);
      const ne = nsenterUsable(this.local);
      this.netExec = this.ro.netExec ?? (ne.ok ? 'nsenter' : 'docker exec');
      this.checkStopping();
      await this.createNetwork(opts);
      const plan = this.plan!;
      for (const id of opts.nodes) {
        this.checkStopping();
        await this.createNode(id, plan, image, opts);
      }
      this.checkStopping();
      await Promise.all([...this.nodes.values()].map((n) => this.startNode(n)));
      this.checkStopping();
      this.delay = await this.probeDelay([...this.nodes.values()][0]!);
      if (this.delay === 'none') this.log('docker: no working tc (install iproute2): link faults get loss only, no delay');
      Object.assign(this.info.mechanisms, {
        image: image.how,
        imageTag: image.tag,
        network: `bridge ${plan.subnet}`,
        netExec: this.netExec,
        clock: {
          libfaketime: 'libfaketime (LD_PRELOAD, timestamp file)',
          'offset-file': `clock-offset file ${CLOCK_OFFSET_FILE} read by the node${opts.needs.libfaketime ? ' (no libfaketime on the host)' : ''}`,
          none: `none (${clockProblem(opts.needs, !!image.faketime)})`,
        }[this.clock],
        link: {
          netem: 'tc netem (delay) + iptables statistic (loss)',
          htb: 'tc htb rate-shaping (delay, approximate; no sch_netem) + iptables statistic (loss)',
          none: 'iptables statistic (loss only; no tc, delay ignored)',
        }[this.delay],
        nodeVersion: `${opts.system} programs ${image.programsHash} (${opts.programs.map((p) => p.name).join(', ')})`,
      });
      // a detached cluster is left running for later `cluster status|down` calls
      if (this.ro.detached) unregisterRun(this.reg);
      return this.endpoints();
    } catch (e) {
      this.stopping = true;
      await this.release().catch(() => {});
      throw e;
    } finally {
      this.setupInFlight = null;
    }
  }

  private async createNetwork(opts: ClusterSpec): Promise<void> {
    const d = docker();
    const name = networkName(opts.runId);
    const taken: string[] = [];
    if (this.local) {
      try { taken.push(...parseProcNetRoute(readFileSync('/proc/net/route', 'utf8'))); } catch { /* not Linux */ }
    }
    for (const n of await d.listNetworks()) for (const c of n.IPAM?.Config ?? []) if (c.Subnet && !c.Subnet.includes(':')) taken.push(c.Subnet);
    // a concurrent run may grab the same subnet between our check and create: retry on overlap
    for (let attempt = 0; ; attempt++) {
      const plan = planSubnet(opts.runId, opts.nodes, taken);
      try {
        this.network = await d.createNetwork({
          Name: name, Driver: 'bridge', CheckDuplicate: true,
          IPAM: { Driver: 'default', Config: [{ Subnet: plan.subnet, Gateway: plan.gateway }] },
          Labels: { [RUN_LABEL]: opts.runId, [OWNER_LABEL]: this.owner() },
        });
        this.plan = plan;
        return;
      } catch (e) {
        if (attempt < 5 && /overlap/i.test((e as Error).message)) { taken.push(plan.subnet); continue; }
        throw new Error(`docker: cannot create network ${name} (${plan.subnet}): ${(e as Error).message}`);
      }
    }
  }

  /** the host a node gets: its container's IP, the system's fixed ports, /data, the others' IPs */
  private hostOf(id: string): NodeHost {
    const spec = this.opts!;
    const ips = this.plan!.ips;
    const ports = { ...spec.ports.ports };
    return {
      id,
      bindHost: '0.0.0.0',
      host: ips[id]!,
      ports,
      dataDir: DATA_DIR,
      peers: spec.nodes.filter((p) => p !== id).map((p) => ({ id: p, host: ips[p]!, ports: { ...ports } })),
      ...(this.clock === 'offset-file' ? { clockOffsetFile: CLOCK_OFFSET_FILE } : {}),
    };
  }

  private async createNode(id: string, plan: SubnetPlan, image: ImageResult, opts: ClusterSpec): Promise<void> {
    const ip = plan.ips[id]!;
    const local = this.local;
    const dataDir = join(opts.runDir, 'nodes', id);
    const ctlDir = join(opts.runDir, 'docker', id);
    if (local) {
      mkdirSync(dataDir, { recursive: true });
      mkdirSync(ctlDir, { recursive: true });
      writeFileSync(join(ctlDir, 'faketime'), faketimeSpec(0) + '\n');
      writeFileSync(join(ctlDir, 'clock-offset'), '0\n');
    }
    const volume = `splitbrain-${safe(opts.runId)}-${safe(id)}`;
    if (!local) await docker().createVolume({ Name: volume, Labels: { [RUN_LABEL]: opts.runId } });
    // LaunchSpec.files go into the data folder once, before the first start (a node may rewrite them)
    const launch = this.launchOf(id);
    if (local) writeNodeFiles(dataDir, launch.files);
    const { container, launchKey } = await this.createContainer(id, ip, image, launch);
    // a remote engine has no host folder: the files go into the data volume before the first start
    if (!local && Object.keys(launch.files).length) await container.putArchive(tarOf(launch.files), { path: DATA_DIR });
    this.nodes.set(id, { id, ip, container, launchKey, priorLog: '', pid: 0, netDirty: true, netQueue: Promise.resolve(), paused: false, running: false });
  }

  /** the container's command and environment, from the system's launch for this host */
  private launchOf(id: string): { cmd: string[]; env: string[]; key: string; files: Record<string, string> } {
    const opts = this.opts!;
    const launch = opts.launch(this.hostOf(id));
    const problem = programProblem(launch.program);
    if (problem) throw new Error(`docker runtime: ${opts.system} node ${id}: ${problem}`);
    if (!opts.programs.some((p) => p.name === launch.program.name && p.kind === launch.program.kind)) {
      throw new Error(`docker runtime: ${opts.system} node ${id} asks for program ${launch.program.name}, which the system does not declare in programs (the image holds only those)`);
    }
    const cmd = [...programCommand(launch.program), ...launch.args];
    const env = [
      ...(this.clock === 'libfaketime' ? faketimeEnv(this.image!.faketime) : []),
      ...Object.entries({ ...opts.env, ...launch.env }).map(([k, v]) => `${k}=${v}`),
    ];
    return { cmd, env, key: JSON.stringify([cmd, env]), files: launch.files ?? {} };
  }

  private async createContainer(id: string, ip: string, image: ImageResult, launch = this.launchOf(id)): Promise<{ container: Docker.Container; launchKey: string }> {
    const opts = this.opts!;
    const local = this.local;
    const dataDir = join(opts.runDir, 'nodes', id);
    const ctlDir = join(opts.runDir, 'docker', id);
    const volume = `splitbrain-${safe(opts.runId)}-${safe(id)}`;
    const netName = networkName(opts.runId);
    const container = await docker().createContainer({
      name: `splitbrain-${safe(opts.runId)}-${safe(id)}`,
      Image: image.tag,
      Cmd: launch.cmd,
      Env: launch.env,
      // a non-root harness: the node runs as the same uid, so its files in the run folder stay
      // the user's own (root-owned data dirs could not be deleted afterwards)
      ...(local && process.getuid && process.getuid() !== 0 ? { User: `${process.getuid()}:${process.getgid!()}` } : {}),
      Labels: { [RUN_LABEL]: opts.runId, [NODE_LABEL]: id, [OWNER_LABEL]: this.owner() },
      HostConfig: {
        NetworkMode: netName,
        CapAdd: ['NET_ADMIN'],
        Binds: local ? [`${dataDir}:${DATA_DIR}`, `${ctlDir}:${FAKETIME_DIR}`] : [`${volume}:${DATA_DIR}`],
        Init: true, // docker-init as pid 1 reaps and forwards signals; a node program need not be built to be pid 1
      },
      NetworkingConfig: { EndpointsConfig: { [netName]: { IPAMConfig: { IPv4Address: ip } } } },
    });
    return { container, launchKey: launch.key };
  }

  /**
   * Before a restart: ask the system's launch again (the contract calls it at every (re)start).
   * Unchanged, the same container starts again; changed, the container is replaced by one with
   * the new command (same name, address and data), keeping the old one's log.
   */
  private async relaunch(n: NodeState): Promise<void> {
    const launch = this.launchOf(n.id);
    if (launch.key === n.launchKey) return;
    n.priorLog += await this.containerLogs(n).catch((e) => `(could not read the container's log: ${(e as Error).message})\n`);
    await n.container.remove({ force: true, v: false });
    const { container, launchKey } = await this.createContainer(n.id, n.ip, this.image!, launch);
    n.container = container;
    n.launchKey = launchKey;
  }

  /** start (or start again) a node's container, set up its chains and faults, wait until it answers */
  private async startNode(n: NodeState): Promise<void> {
    await n.container.start();
    const st = await n.container.inspect();
    n.pid = st.State.Pid;
    n.paused = false;
    if (!this.local) await this.writeClockRemote(n);
    const r = await runInNetns(this.netExec, n.container, n.pid, chainSetup());
    if (r.code !== 0) throw new Error(`docker: iptables chain setup failed in ${n.id} via ${this.netExec}: ${r.out.trim()}`);
    // only now may rules go in (the chains exist); fault changes until here were marked dirty
    n.running = true;
    n.netDirty = true;
    await this.applyNet(n);
    await this.waitReady(n);
  }

  /** what shapes delay here: netem when the kernel has it, else htb rate shaping, else nothing (no tc) */
  private async probeDelay(n: NodeState): Promise<'netem' | 'htb' | 'none'> {
    const run = (argv: string[]) => runInNetns(this.netExec, n.container, n.pid, { argv }).catch(() => ({ code: -1, out: '' }));
    if ((await run(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'])).code === 0) {
      await run(['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
      return 'netem';
    }
    if ((await run(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb'])).code === 0) {
      await run(['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
      return 'htb';
    }
    return 'none';
  }

  /**
   * Bring one node's rules to the current fault state. Calls are queued per node, and the rules
   * are computed when a call's turn comes, so concurrent nemesis actions (a partition while a kill
   * or restart is in flight) can neither interleave nor leave older rules applied last.
   */
  private applyNet(n: NodeState): Promise<void> {
    const next = n.netQueue.then(() => this.applyNetNow(n));
    n.netQueue = next.catch(() => {});
    return next;
  }

  private async applyNetNow(n: NodeState): Promise<void> {
    if (!n.running || (n.paused && this.netExec === 'docker exec')) { n.netDirty = true; return; }
    try {
      const ips = this.plan!.ips;
      const ipt = await runInNetns(this.netExec, n.container, n.pid, iptablesFor(n.id, this.grudge, this.links, ips));
      if (ipt.code !== 0) throw new Error(`docker: iptables-restore failed in ${n.id}: ${ipt.out.trim()}`);
      if (this.delay !== 'none') {
        const [del, ...rest] = tcFor(n.id, this.links, ips, this.delay === 'netem');
        await runInNetns(this.netExec, n.container, n.pid, del!); // fails harmlessly when no qdisc was set
        for (const c of rest) {
          const r = await runInNetns(this.netExec, n.container, n.pid, c);
          if (r.code !== 0) throw new Error(`docker: ${c.argv.join(' ')} failed in ${n.id}: ${r.out.trim()}`);
        }
      }
      n.netDirty = false;
    } catch (e) {
      // the container died under us (a kill in flight, a crash): its rules went with its network
      // namespace, and a restart applies the current state
      const st = await n.container.inspect().catch(() => undefined);
      if (!st?.State.Running || !n.running) { n.netDirty = true; return; }
      throw e;
    }
  }

  private endpointOf(n: NodeState): NodeEndpoint {
    return { id: n.id, host: n.ip, ports: { ...this.opts!.ports.ports } };
  }

  /** poll the system's probe until it says ready; fail with its last detail and the log tail */
  private async waitReady(n: NodeState): Promise<void> {
    const deadline = Date.now() + (this.ro.readyTimeoutMs ?? 30_000);
    const ep = this.endpointOf(n);
    let last = 'not probed yet';
    while (Date.now() < deadline && !this.stopping) {
      try {
        const r = await this.opts!.probe(ep, AbortSignal.timeout(Math.max(200, Math.min(2000, deadline - Date.now()))));
        if (r.ready) return;
        last = r.detail;
      } catch (e) { last = (e as Error).message; }
      const st = await n.container.inspect();
      if (!st.State.Running) { last += ' (the container exited)'; break; }
      await sleep(150);
    }
    this.checkStopping();
    const st = await n.container.inspect().catch(() => undefined);
    const tail = (await this.containerLogs(n).catch(() => '')).split('\n').slice(-15).join('\n');
    throw new Error(`docker: ${this.opts!.system} node ${n.id} (${n.ip}) did not become ready: ${last}; container ${st?.State.Status ?? 'gone'} exit ${st?.State.ExitCode ?? '?'}; last log lines:\n${tail}`);
  }

  /** the run id of the current (or last) setup, the value of every object's splitbrain.run label */
  runId(): string | undefined {
    return this.opts?.runId;
  }

  endpoints(): NodeEndpoint[] {
    return [...this.nodes.values()].map((n) => this.endpointOf(n));
  }

  private node(id: string): NodeState {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`docker runtime: unknown node ${id}`);
    return n;
  }

  async kill(id: string): Promise<void> {
    const n = this.node(id);
    if (!n.running) return;
    n.running = false; // from now on fault changes wait for the restart
    if (n.paused) await n.container.unpause().catch(() => {}); // a frozen process cannot take SIGKILL until thawed
    await n.container.kill({ signal: 'SIGKILL' }).catch((e) => { if ((e as { statusCode?: number }).statusCode !== 409) throw e; });
    await n.container.wait({ condition: 'not-running' }).catch(() => {});
    n.running = false;
    n.paused = false;
    n.netDirty = true;
  }

  async restart(id: string): Promise<void> {
    const n = this.node(id);
    if (n.starting) return n.starting;
    // ask the engine, not our flag: a node may also have died by itself (a crash)
    const st = await n.container.inspect();
    if (st.State.Running) return;
    n.running = false;
    n.starting = this.relaunch(n).then(() => this.startNode(n)).finally(() => { n.starting = undefined; });
    return n.starting;
  }

  async pause(id: string): Promise<void> {
    const n = this.node(id);
    if (!n.running || n.paused) return;
    await n.container.pause();
    n.paused = true;
  }

  async resume(id: string): Promise<void> {
    const n = this.node(id);
    if (!n.paused) return;
    await n.container.unpause();
    n.paused = false;
    if (n.netDirty) await this.applyNet(n);
    // a remote clock change while frozen could not be written (docker exec): write it now
    if (!this.local) await this.writeClockRemote(n);
  }

  async partition(grudge: Grudge): Promise<void> {
    for (const [b, as] of Object.entries(grudge)) for (const a of [b, ...as]) this.node(a);
    this.grudge = structuredClone(grudge);
    await Promise.all([...this.nodes.values()].map((n) => this.applyNet(n)));
  }

  async heal(): Promise<void> {
    await this.partition({});
  }

  /** the clock file each node should hold: rewritten on a remote engine after a restart or unpause */
  private clockFiles = new Map<string, ClockFile>();

  /** clock faults need a way to reach the node's clock: say so clearly when there is none */
  private clockOrThrow(what: string): void {
    if (!this.opts || !this.image) throw new Error('docker runtime: not set up');
    if (this.clock === 'none') throw new Error(`clock faults cannot reach ${this.opts.system} on docker: ${clockProblem(this.opts.needs, !!this.image.faketime)} (${what})`);
  }

  async setClockOffset(id: string, offsetMs: number): Promise<void> {
    this.clockOrThrow('setClockOffset');
    await this.writeClock(id, this.offsetFile(offsetMs));
  }

  /** an offset as the node reads it: libfaketime's timestamp file, else the system's offset file */
  private offsetFile(offsetMs: number): ClockFile {
    return this.clock === 'libfaketime' ? { name: 'faketime', text: `${faketimeSpec(offsetMs)}\n` } : { name: 'clock-offset', text: `${Math.round(offsetMs)}\n` };
  }

  /** the node's wall clock stands still at atMs until the next setClockOffset (libfaketime only) */
  async freezeClock(id: string, atMs: number): Promise<void> {
    this.clockOrThrow('freezeClock');
    if (this.clock !== 'libfaketime') {
      throw new Error(`clock freeze cannot reach ${this.opts!.system} on docker: it needs libfaketime${this.opts!.needs.libfaketime ? ' on the docker host (apt-get install libfaketime)' : ', which does not reach this system\'s clock'}`);
    }
    // containers carry no zone data, so libfaketime reads the instant as UTC
    await this.writeClock(id, { name: 'faketime', text: `${faketimeFrozenSpec(atMs, { utc: true })}\n` });
  }

  private async writeClock(id: string, file: ClockFile): Promise<void> {
    const n = this.node(id);
    this.clockFiles.set(id, file);
    if (this.local) {
      const dir = join(this.opts!.runDir, 'docker', id);
      // rename is atomic: libfaketime never reads a half-written file
      writeFileSync(join(dir, `.${file.name}.tmp`), file.text);
      renameSync(join(dir, `.${file.name}.tmp`), join(dir, file.name));
    } else if (n.running && !n.paused) {
      await this.writeClockRemote(n);
    }
  }

  /** remote engine: no bind mount, so the image's node binary writes the file */
  private async writeClockRemote(n: NodeState): Promise<void> {
    if (this.clock === 'none') return;
    const file = this.clockFiles.get(n.id) ?? this.offsetFile(0);
    const path = `${FAKETIME_DIR}/${file.name}`;
    const js = `require('fs').writeFileSync(${JSON.stringify(path + '.tmp')}, ${JSON.stringify(file.text)}); require('fs').renameSync(${JSON.stringify(path + '.tmp')}, ${JSON.stringify(path)})`;
    const r = await runInNetns('docker exec', n.container, 0, { argv: [IMAGE_NODE, '-e', js] });
    if (r.code !== 0) throw new Error(`docker: writing the clock file in ${n.id} failed: ${r.out.trim()}`);
  }

  async setLinkFault(from: string, to: string, fault: LinkFault): Promise<void> {
    this.node(from); this.node(to);
    const key = `${from}->${to}`;
    const empty = !fault.delayMs && !fault.jitterMs && !fault.loss;
    if (empty) this.links.delete(key); else this.links.set(key, { ...fault });
    await Promise.all([this.applyNet(this.node(from)), this.applyNet(this.node(to))]);
  }

  async clearLinkFaults(): Promise<void> {
    this.links.clear();
    await Promise.all([...this.nodes.values()].map((n) => this.applyNet(n)));
  }

  logPath(id: string): string {
    if (!this.opts) throw new Error('docker runtime: not set up');
    return join(this.opts.runDir, 'nodes', `${id}.log`);
  }

  /** local engine only: the node's data folder is a host folder bind-mounted into its container (for the corrupt fault) */
  dataPath(id: string): string {
    if (!this.opts) throw new Error('docker runtime: not set up');
    if (!this.local) throw new Error('docker runtime: a remote engine keeps data folders in volumes, not on this machine');
    return join(this.opts.runDir, 'nodes', id);
  }

  /** copy every node's log (all its container's starts) from the engine into nodes/<id>.log */
  async copyLogs(): Promise<void> {
    await Promise.all([...this.nodes.values()].map(async (n) => {
      const text = await this.containerLogs(n).catch((e) => `(could not read the container's log: ${(e as Error).message})\n`);
      mkdirSync(join(this.opts!.runDir, 'nodes'), { recursive: true });
      writeFileSync(this.logPath(n.id), text);
    }));
  }

  private async containerLogs(n: NodeState): Promise<string> {
    const buf = (await n.container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return n.priorLog + demux(buf);
  }

  /** idempotent; concurrent callers share one teardown; waits for (and cuts short) a setup in flight */
  teardown(): Promise<void> {
    if (this.released && !this.setupInFlight) return Promise.resolve();
    this.tearing ??= (async () => {
      this.stopping = true;
      await this.setupInFlight?.catch(() => {});
      await this.release();
    })();
    return this.tearing;
  }

  /** copy logs, remove everything labelled with the run; once per setup */
  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const runId = this.opts!.runId;
    try {
      await this.copyLogs();
    } catch (e) {
      this.log(`docker: could not copy node logs: ${(e as Error).message}`);
    }
    try {
      await removeRun(runId); // containers, network and (remote engine) data volumes
    } finally {
      unregisterRun(this.reg);
    }
  }
}

/** docker's log stream (no TTY) frames each chunk with an 8-byte header: [stream,0,0,0,len BE32] */
export function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(parts).toString('utf8');
}

function safe(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** the run's bridge network: created by createNetwork, joined by name in createNode */
function networkName(runId: string): string {
  return `splitbrain-${safe(runId)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
