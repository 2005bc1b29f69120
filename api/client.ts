import type { NodeEndpoint } from './runtime.ts';
import type { Completion, GeneratedOp, WorkloadInstance } from './workload.ts';

/**
 * One worker's connection to one node, for one workload: turns ops into the system's requests and
 * maps every outcome to ok, fail (certainly not applied) or info (may have been applied).
 */
export interface Client {
  /** never throws for a failed request: a failure is a fail or info completion */
  invoke(op: GeneratedOp, signal: AbortSignal): Promise<Completion>;
  /** the final-read phase: ok with a FinalRead (api/history.ts) of the workload's state, or fail */
  finalRead(signal: AbortSignal): Promise<Completion>;
  /** asks the node to reconcile with its peers now (before each final-read round); best effort */
  sync?(signal: AbortSignal): Promise<void>;
  /** releases connections; called once when the worker is done */
  close?(): Promise<void>;
}

export interface ClientContext {
  /** the node this client talks to */
  node: NodeEndpoint;
  /** every node, for clients that follow a leader or a primary */
  cluster: readonly NodeEndpoint[];
  workload: WorkloadInstance;
  /** the system's own params (--system-params), validated */
  systemParams?: Readonly<Record<string, unknown>>;
  /** per-op timeout */
  timeoutMs: number;
}
