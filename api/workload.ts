import type { Rng } from './rng.ts';
import type { Checker } from './checker.ts';
import type { Expected } from './checker.ts';

/** An op the generator chose: f and the invoke value (each workload documents its values). */
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

/** A checker a workload runs, by the name the verdict table shows. */
export interface WorkloadCheck {
  name: string;
  check: Checker;
  /** the expectation when a system names none for this checker (system-neutral checks, e.g. stats) */
  fallback?: Expected;
}

/**
 * A workload, system-neutral: what ops to generate, with which params, and which checkers judge
 * the history. How ops become requests is each System's (api/system.ts), and so is what each
 * checker is expected to show.
 */
export interface Workload {
  name: string;
  /** one line for `systems` and --help */
  description: string;
  /** the params it takes (config file `params:`), for messages and --help */
  paramNames: readonly string[];
  /** validates raw params and builds the run's instance; throws an Error naming the bad field */
  create(rawParams: unknown): WorkloadInstance;
}

export interface WorkloadInstance {
  name: string;
  /** the validated params by their config names, defaults filled in (clients read these) */
  params: Record<string, unknown>;
  /** what the checkers get as CheckContext.workload, and test.json as workloadParams */
  checkParams: Record<string, unknown>;
  /** a stateful op source; one per run, shared by all workers, so the op sequence follows the seed */
  generator(rng: Rng): () => GeneratedOp;
  /** the checkers, in the order the verdict table shows them */
  checks(faultKinds: readonly string[]): WorkloadCheck[];
}
