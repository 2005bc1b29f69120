/** The built-in workloads, system-neutral: each is an op generator, its params and its checkers. */
import type { Workload, WorkloadInstance } from '../api/workload.ts';
import { bank } from './bank.ts';
import { lww } from './lww.ts';
import { history } from './history.ts';
import { set } from './set.ts';
import { listAppend } from './list-append.ts';
import { rwRegister } from './rw-register.ts';

export const WORKLOADS: Readonly<Record<string, Workload>> = { bank, lww, history, set, 'list-append': listAppend, 'rw-register': rwRegister };
export const WORKLOAD_NAMES = Object.keys(WORKLOADS) as readonly string[];

/** the named workload with validated params; throws an Error naming the bad field (or workload) */
export function createWorkload(name: string, rawParams: unknown = {}): WorkloadInstance {
  const w = WORKLOADS[name];
  if (!w) throw new Error(`no workload "${name}": expected one of ${WORKLOAD_NAMES.join(', ')}`);
  return w.create(rawParams);
}
