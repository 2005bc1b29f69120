import type { Rng } from '../harness/random.ts';
import type { NodeEndpoint } from '../harness/runtime/types.ts';
import type { Expectation } from '../checkers/types.ts';
import type { FaultKind } from '../nemesis/types.ts';

/** An op the generator chose: f and the invoke value (op formats: harness/history/op.ts). */
export interface GeneratedOp {
  f: string;
  value: unknown;
}

/** How an op ended: ok (happened), fail (certainly did not), info (unknown). */
export interface Completion {
  type: 'ok' | 'fail' | 'info';
  value: unknown;
  error?: string;
}

/** One worker's connection to one node. */
export interface WorkloadClient {
  invoke(op: GeneratedOp, signal: AbortSignal): Promise<Completion>;
  /** the final-read phase: ok with {state, merkleRoot}, or fail */
  finalRead(signal: AbortSignal): Promise<Completion>;
  /** asks the node to reconcile with its peers now (before each final-read round); best effort */
  sync?(signal: AbortSignal): Promise<void>;
}

/**
 * A checker the workload wants, with what maep is expected to do for it. `checker` names an
 * export of checkers/index.ts (or checkers/linearizability/index.ts); it is resolved when the
 * checks run, so a checker not built yet shows as "unknown" instead of breaking the run.
 */
export interface CheckSpec {
  name: string;
  checker: string;
  module?: 'checkers' | 'linearizability';
  expected: Expectation;
  why: string;
}

export interface Workload {
  name: string;
  /** parameters the checkers get as CheckContext.workload, and test.json as workloadParams */
  params: Record<string, unknown>;
  /** extra maep flags this workload needs on every node (e.g. bank accounts) */
  nodeArgs: string[];
  /** a stateful op source; one per run, shared by all workers, so the op sequence follows the seed */
  generator(rng: Rng): () => GeneratedOp;
  client(endpoint: NodeEndpoint, opts: { timeoutMs: number }): WorkloadClient;
  checks(nemesisKinds: readonly FaultKind[]): CheckSpec[];
}
