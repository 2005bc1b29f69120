import type { Expected } from './checker.ts';
import type { Client, ClientContext } from './client.ts';
import type { LaunchSpec, NodeEndpoint, NodeHost, PortPlan, Program, Readiness, RuntimeName, SystemNeeds } from './runtime.ts';
import type { WorkloadInstance } from './workload.ts';
import type { SimSystem } from './sim.ts';
import type { SystemFaultFactory } from './fault.ts';

/** What a system knows of the run it is part of. */
export interface SystemRun {
  nodes: readonly string[];
  runDir: string;
  workload: WorkloadInstance;
  /** the fault kinds of this run (--nemesis) */
  faultKinds: readonly string[];
  /** extra node arguments from --node-args */
  nodeArgs: readonly string[];
  /** the system's own params (--system-params), as its parseParams returned them; absent = none */
  systemParams?: Readonly<Record<string, unknown>>;
}

/** How a system serves one workload. */
export interface SystemWorkload {
  client(ctx: ClientContext): Client;
  /** for every checker of the workload, what this system is expected to show, and why */
  expect(run: Pick<SystemRun, 'workload' | 'faultKinds'>): Record<string, Expected>;
}

/**
 * A system under test, shaped like Jepsen's DB + Client: how to launch a node on a host, when it
 * is ready, a client per workload, and what each checker is expected to show. Built-in systems
 * live in systems/<name>/; a user's own is any module whose default export (or `system` export)
 * is one of these, given as --system PATH.
 */
export interface System {
  name: string;
  /** one line for `systems` */
  description: string;
  /** the runtimes it can run on (the simulator needs a pure core) */
  runtimes: readonly RuntimeName[];
  programs: Program[];
  ports: PortPlan;
  needs: SystemNeeds;
  /** the workloads it supports, by workload name */
  workloads: Readonly<Record<string, SystemWorkload>>;
  /**
   * optional: validates the system's own params (--system-params / `system-params:`), filling in
   * defaults; throws an Error naming the bad field. A system without it takes none.
   */
  parseParams?(raw: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** before anything starts: null when it can run here, else one line saying what is missing */
  preflight?(): Promise<string | null>;
  /** one node's process on its host; called at every (re)start of a node */
  launch(host: NodeHost, run: SystemRun): LaunchSpec;
  /** one probe of whether a node serves */
  probe(node: NodeEndpoint, signal: AbortSignal): Promise<Readiness>;
  /**
   * optional: once every node serves, wait until the cluster as a whole does (e.g. has a leader)
   * and set up what the workload needs (e.g. the bank's initial balances); throws saying why not
   */
  clusterReady?(nodes: readonly NodeEndpoint[], run: SystemRun, signal: AbortSignal): Promise<void>;
  /**
   * optional: the nodes that lead right now (etcd's leader, Redis's primary), asked by nemeses
   * that aim at them (e.g. --kill-targets primaries); [] when none is known
   */
  primaries?(nodes: readonly NodeEndpoint[], signal: AbortSignal): Promise<string[]>;
  /** optional: once per run, before the first launch (files in the run folder, keys) */
  prepare?(run: SystemRun): Promise<void>;
  /**
   * optional: the system's pure core for the simulator (--runtime sim, api/sim.ts). A system
   * without one (a real binary: etcd, Redis) cannot run there.
   */
  sim?: SimSystem;
  /**
   * optional: the files of a node's data folder (an absolute host path) that hold its durable
   * state, which the corrupt fault damages (maep: ops.log and its snapshot). Absent: every regular
   * file under the folder.
   */
  dataFiles?(dataDir: string): string[];
  /**
   * optional: fault kinds only this system knows (maep: a byzantine peer), by the name --nemesis
   * selects them with; they must not shadow a built-in kind
   */
  faults?: Readonly<Record<string, SystemFaultFactory>>;
}
