/**
 * The Runtime contract: hosts for nodes, and the faults a host can suffer. Implementations live in
 * runtimes/<name>/ (local processes, docker containers, ...). A runtime knows nothing of any
 * system under test: it runs the program a System asks for (a {@link LaunchSpec}) on each node's
 * host, and asks the system's readiness probe when a node serves. Nemeses use only this contract.
 */

/** Where the harness (clients, probes) reaches a node. */
export interface NodeEndpoint {
  id: string;
  /** the node's address as the harness reaches it, e.g. "127.0.0.1" or a container's IP */
  host: string;
  /** the node's ports by the names the system declared ({@link PortPlan}) */
  ports: Record<string, number>;
}

/** How another node is reached from this one (for the local runtime: a proxy on the link). */
export interface PeerAddress {
  id: string;
  host: string;
  ports: Record<string, number>;
}

/** Everything a system needs to build one node's command line. */
export interface NodeHost {
  id: string;
  /** the address the node should listen on ("0.0.0.0" in a container, its own IP in a namespace) */
  bindHost: string;
  /** the node's own address as peers and clients reach it (what it may announce) */
  host: string;
  /** its ports by name; a node listens on exactly these */
  ports: Record<string, number>;
  /** the node's data folder (kept across kill/restart); a path as the node sees it */
  dataDir: string;
  /** where this node must dial each other node */
  peers: PeerAddress[];
  /**
   * Set only when the runtime fakes the clock with an offset file instead of libfaketime: the
   * path (as the node sees it) of a file holding the offset in ms, which the system must pass to
   * its node (only systems with {@link SystemNeeds.clockOffsetFile} get it).
   */
  clockOffsetFile?: string;
}

/**
 * A program a system runs. Runtimes turn it into a command for their hosts: a node script runs
 * with Node.js (through tsx on the host; bundled into the image in a container); a binary runs as
 * it is (copied with its shared libraries into an image).
 */
export type Program = NodeScript | Binary;
export interface NodeScript { kind: 'node-script'; name: string; /** absolute path of the .ts/.js entry */ entry: string }
export interface Binary { kind: 'binary'; name: string; /** absolute host path, e.g. /usr/bin/etcd */ path: string }

/** One node's process: which program, its arguments and extra environment. */
export interface LaunchSpec {
  program: Program;
  args: string[];
  env?: Record<string, string>;
  /**
   * files the runtime writes into the node's data folder before its first start, by path relative
   * to it (a config or key file); the node finds them under NodeHost.dataDir. A restart keeps what
   * is there, since a node may rewrite its own config (Redis Sentinel does).
   */
  files?: Record<string, string>;
}

/**
 * The ports a system's node listens on, by name, with the number to use where every node has its
 * own address (docker, netns); the local runtime picks free loopback ports instead.
 * `peer`: the names of the ports other nodes dial (the local runtime proxies these per link).
 */
export interface PortPlan {
  ports: Record<string, number>;
  peer: string[];
}

/** What a system needs of a runtime, so a runtime can refuse a combination before anything starts. */
export interface SystemNeeds {
  /**
   * true when a node dials exactly the peer addresses it is given (so per-link proxies can cut
   * it); false when it announces its own address and peers dial that (only kernel-level
   * partitions reach it).
   */
  dialsGivenPeerAddresses: boolean;
  /** libfaketime (LD_PRELOAD) reaches its clock; false for statically linked or Go binaries */
  libfaketime: boolean;
  /** the node can read a clock offset from a file ({@link NodeHost.clockOffsetFile}) */
  clockOffsetFile: boolean;
}

/** Which nodes drop traffic from which: grudge[b] = [a, ...] means b drops everything from a. */
export type Grudge = Record<string, string[]>;

export interface LinkFault {
  /** added one-way delay in ms */
  delayMs?: number;
  /** uniform jitter in ms added on top of delayMs */
  jitterMs?: number;
  /** probability 0..1 that a packet/chunk is dropped */
  loss?: number;
}

/** Outcome of one readiness probe: ready, or not yet with what was seen. */
export type Readiness = { ready: true } | { ready: false; detail: string };

/** What a runtime is asked to start. Built by the harness from the System and the run. */
export interface ClusterSpec {
  /** node ids, e.g. ["n1", ..., "n5"] */
  nodes: string[];
  /** the run's folder: data dirs, node logs (nodes/<id>.log) go below it */
  runDir: string;
  /** label for leftovers cleanup, unique per run */
  runId: string;
  /** the system's name, for messages and image labels */
  system: string;
  /** every program any node may run (docker builds its image from these) */
  programs: Program[];
  ports: PortPlan;
  needs: SystemNeeds;
  /** one node's process, given its host; called at every (re)start */
  launch(host: NodeHost): LaunchSpec;
  /** one probe of whether a node serves; the runtime polls it after every (re)start */
  probe(node: NodeEndpoint, signal: AbortSignal): Promise<Readiness>;
  /** extra environment for every node process */
  env?: Record<string, string>;
}

export type RuntimeName = 'local' | 'docker' | 'netns' | 'sim';

export interface RuntimeInfo {
  name: RuntimeName;
  /** how each fault kind is implemented here, recorded in test.json, e.g. {clock: "libfaketime"} */
  mechanisms: Record<string, string>;
}

export interface Runtime {
  readonly info: RuntimeInfo;
  /**
   * Why this runtime cannot inject the given fault kinds into a system with these needs: one line
   * each, empty when it can. Asked before anything starts. Besides the kinds (partition, pause,
   * kill, clock, link), "partition:one-way" asks for partitions that cut one direction only.
   */
  cannotServe(needs: SystemNeeds, faultKinds: readonly string[]): string[];
  /** start every node; resolves when every node's probe says ready */
  setup(spec: ClusterSpec): Promise<NodeEndpoint[]>;
  /** always safe to call, idempotent; leaves no process, container, network, rule, port or temp dir */
  teardown(): Promise<void>;
  endpoints(): NodeEndpoint[];

  kill(node: string): Promise<void>;
  /** start a killed node again on the same data dir; resolves when it is ready */
  restart(node: string): Promise<void>;
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;

  /** replace the current grudge (empty object = fully connected) */
  partition(grudge: Grudge): Promise<void>;
  heal(): Promise<void>;

  /** set the node's wall-clock offset in ms (0 = real time) */
  setClockOffset(node: string, offsetMs: number): Promise<void>;
  /**
   * Optional: the node's wall clock stops at atMs (epoch ms) until setClockOffset is called again
   * (setClockOffset(node, 0) unfreezes it back to real time). Monotonic time keeps running. A
   * runtime that cannot do it leaves this out, or throws saying what it needs.
   */
  freezeClock?(node: string, atMs: number): Promise<void>;

  /** faults on the directed link from → to; an empty fault clears it */
  setLinkFault(from: string, to: string, fault: LinkFault): Promise<void>;
  clearLinkFaults(): Promise<void>;

  /** path of the node's log file (stdout+stderr) on the harness's machine */
  logPath(node: string): string;

  /**
   * Optional: the host path of the node's data folder (NodeHost.dataDir as the harness's machine
   * sees it), for faults that damage a node's files while it is down (the corrupt fault). A
   * runtime whose data folders are not host folders leaves it out, and its cannotServe refuses
   * "corrupt".
   */
  dataPath?(node: string): string;
}
