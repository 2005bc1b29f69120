/** Shapes the report reads from a run folder (harness/store-layout.md), kept loose on purpose: an
 * older or crashed run may lack fields, and the report must still render what is there. */
import type { CheckerOutcome, Validity } from '../../api/checker.ts';
import type { Op } from '../../api/history.ts';

export interface TestJson {
  name?: string;
  workload?: string;
  nemesis?: string;
  runtime?: string;
  nodes?: string[] | number;
  concurrency?: number;
  timeLimitS?: number;
  rate?: number;
  seed?: number;
  recoveryTimeS?: number;
  nodeArgs?: string[];
  command?: string[] | string;
  startedAt?: string;
  endedAt?: string;
  versions?: Record<string, string>;
  mechanisms?: Record<string, string>;
  workloadParams?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface ResultsJson {
  valid: Validity;
  exitCode?: number;
  checkers: CheckerOutcome[];
  [k: string]: unknown;
}

/** Everything read from disk for one run: the input of the pure report core. */
export interface RunInput {
  test: TestJson;
  ops: Op[];
  /** null: results.json absent (the run did not finish) */
  results: ResultsJson | null;
  /** relative links that exist in the run folder, e.g. "nodes/n1.log" */
  files: string[];
  skippedLines: number;
  truncatedTail: boolean;
}
