/**
 * The runtime interface: how the harness starts a cluster and injects faults. Implementations:
 * local processes (harness/local/), docker containers (docker/), later a simulator.
 * Nothing runtime-specific lives outside its folder; nemeses and workloads use only this.
 */

export interface NodeEndpoint {
  id: string;
  /** base URL of the node's HTTP client API, e.g. http://127.0.0.1:8001 */
  http: string;
}

export interface ClusterOptions {
  /** node ids, e.g. ["n1", ..., "n5"] */
  nodes: string[];
  /** the run's folder: data dirs, node logs (nodes/<id>.log) go below it */
  runDir: string;
  /** extra maep flags for every node (e.g. --unsafe-no-fsync), from --node-args */
  nodeArgs: string[];
  /** extra environment for node processes */
  env?: Record<string, string>;
  /** label for leftovers cleanup (docker) */
  runId: string;
}

/** Which node drops traffic from which: grudge[b] = [a, ...] means b drops everything from a. */
export type Grudge = Record<string, string[]>;

export interface LinkFault {
  /** added one-way delay in ms */
  delayMs?: number;
  /** uniform jitter in ms added on top of delayMs */
  jitterMs?: number;
  /** probability 0..1 that a packet/chunk is dropped */
  loss?: number;
}

export interface RuntimeInfo {
  name: 'local' | 'docker' | 'sim';
  /** how each fault kind is implemented here, recorded in test.json, e.g. {clock: "libfaketime"} */
  mechanisms: Record<string, string>;
}

export interface Runtime {
  readonly info: RuntimeInfo;
  /** start every node; resolves when every node answers GET /admin/status */
  setup(opts: ClusterOptions): Promise<NodeEndpoint[]>;
  /** always safe to call, idempotent; leaves no process, container, network, rule, port or temp dir */
  teardown(): Promise<void>;
  endpoints(): NodeEndpoint[];

  kill(node: string): Promise<void>;
  /** start a killed node again on the same data dir */
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

  /** path of the node's log file (stdout+stderr) */
  logPath(node: string): string;
}
