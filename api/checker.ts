import type { Op } from './history.ts';

/** true: the property held; false: a violation was found; "unknown": could not decide (budget, no data). */
export type Validity = true | false | 'unknown';

/** What a checker found. Checkers add their own details (violations, counts, timings) beside `valid`. */
export interface CheckResult {
  valid: Validity;
  /** one line a person reads first, e.g. "3 overdrafts, worst -7 on account 2 at 4.1 s" */
  summary?: string;
  [detail: string]: unknown;
}

/** What the test knows that a checker may need. */
export interface CheckContext {
  nodes: string[];
  /** workload parameters (e.g. bank: {accounts: number[], initialBalance: number, total: number}) */
  workload: Record<string, unknown>;
  /** checker options, e.g. {linTimeoutMs: 60000} */
  options?: CheckOptions;
}

/** Options a user sets for the checkers (flags of `run` and `check`). */
export interface CheckOptions {
  /** budget of the linearizability search in ms (--lin-timeout) */
  linTimeoutMs?: number;
  /** memo-table cap of the linearizability search, in entries */
  linMaxCacheEntries?: number;
}

/** A checker is pure and deterministic and never throws on a bad history: it reports. */
export type Checker = (history: readonly Op[], ctx: CheckContext) => CheckResult | Promise<CheckResult>;

/**
 * What the system under test is expected to do for a checker:
 * - "valid": must hold (a violation is a bug);
 * - "invalid": must be violated (the test exists to show the anomaly);
 * - "may-fail": a violation is a known, accepted property of the system (e.g. an AP store
 *   overdrawing under partitions); either verdict matches, and the report says so.
 */
export type Expectation = 'valid' | 'invalid' | 'may-fail';

/** An expectation with the reason, shown in the verdict table and the report. */
export interface Expected {
  expected: Expectation;
  why: string;
}

export interface ExpectedCheck extends Expected {
  name: string;
  check: Checker;
}

/** One checker's entry in results.json. */
export interface CheckerOutcome {
  name: string;
  valid: Validity;
  expected: Expectation;
  why: string;
  matched: boolean;
  result: CheckResult;
  /** milliseconds the check took */
  elapsedMs: number;
}

export function matches(valid: Validity, expected: Expectation): boolean {
  if (valid === 'unknown') return false;
  if (expected === 'may-fail') return true;
  return expected === 'valid' ? valid === true : valid === false;
}
