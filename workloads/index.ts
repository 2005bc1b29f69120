import { z } from 'zod';
import { bankParamsSchema, bankWorkload } from './bank.ts';
import { lwwParamsSchema, lwwWorkload } from './lww.ts';
import { historyParamsSchema, historyWorkload } from './history.ts';
import type { Workload } from '../api/workload.ts';

export const WORKLOAD_NAMES = ['bank', 'lww', 'history'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

const schemas: Record<WorkloadName, z.ZodType<any>> = { bank: bankParamsSchema, lww: lwwParamsSchema, history: historyParamsSchema };

/** names of the params each workload accepts, for the error message */
function workloadParamNames(name: WorkloadName): string[] {
  return Object.keys((schemas[name] as any).shape ?? {});
}

/**
 * Validates the workload's params (config file `params:`) and builds it. Throws an Error whose
 * message names the bad field; the CLI turns it into one line and exit 254.
 */
export function createWorkload(name: WorkloadName, rawParams: unknown = {}): Workload {
  const parsed = schemas[name].safeParse(rawParams ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : '(params)';
    const known = workloadParamNames(name).join(', ');
    throw new Error(`params.${field}: ${issue.message} (the ${name} workload takes: ${known})`);
  }
  const p = parsed.data;
  if (name === 'bank') return bankWorkload(p);
  if (name === 'lww') return lwwWorkload(p);
  return historyWorkload(p);
}
