/**
 * The simulator's seam (--runtime sim): a system with a pure core offers `System.sim`, and
 * runtimes/sim drives N of its cores in one process on simulated time, network, clocks and disks.
 * Everything a core may touch comes through its SimHost, so a run follows its seed exactly.
 */
import type { Client, ClientContext } from './client.ts';
import type { SystemRun } from './system.ts';

/** One node's simulated disk: bytes written reach the (simulated) OS; `sync` makes them durable. */
export interface SimDisk {
  write(data: Uint8Array): void;
  /** everything written so far becomes durable; `done` runs once it is (after the fsync latency) */
  sync(done: () => void): void;
  /** what a restarted node finds: a crash keeps only synced bytes (maybe a torn last record) */
  read(): Uint8Array;
  /** cut the file to `length` bytes (recovery drops a torn tail), durably */
  truncate(length: number): void;
}

/** What the simulator gives one node's core: its clocks, randomness, network, disk and timers. */
export interface SimHost {
  id: string;
  /** the other nodes' ids */
  peers: readonly string[];
  /** the node's wall clock (ms since epoch; offsets and freezes apply) */
  wallNow(): number;
  /** the node's monotonic clock in ms */
  monoNow(): number;
  /** uniform [0, 1) from the run's seed */
  random(): number;
  /** a message to a peer over the simulated network (lost when cut, late when delayed) */
  send(to: string, msg: unknown): void;
  /** a timer on simulated time; it dies with the node (crash, restart) */
  after(ms: number, fn: () => void): void;
  disk: SimDisk;
  log(line: string): void;
}

/** A running core, as the simulator drives it. */
export interface SimNode {
  /** a message a peer sent */
  receive(from: string, msg: unknown): void;
  /** a connection to `peer` (dialed by this node) came up: after start, restarts and long cuts */
  linkUp(peer: string): void;
  /** a timer tick, every SimSystem.tickMs */
  tick(): void;
  /** a client request; `reply` once the answer may leave the node */
  request(req: unknown, reply: (answer: unknown) => void): void;
}

/** Outcome of one simulated client call, as a client sees it on the wire. */
export type SimCallOutcome =
  | { kind: 'answer'; answer: unknown }
  /** nothing listens: the node is down (certainly not applied) */
  | { kind: 'refused' }
  /** no answer within the timeout (the node is paused, or the answer is late): unknown */
  | { kind: 'timeout' };

/** a client's way to the node it talks to */
export type SimCall = (req: unknown, signal: AbortSignal) => Promise<SimCallOutcome>;

export interface SimSystem {
  /** simulated ms between ticks of every core */
  tickMs: number;
  /** start a node's core on its host (first start or restart from its disk) */
  boot(host: SimHost, run: SystemRun): SimNode;
  /** a client for a workload, talking to its node through `call` (same completions as the real client) */
  client(workload: string, call: SimCall, ctx: ClientContext): Client;
}
