import type { Op } from '../../api/history.ts';

/**
 * Checks a history against the process model (see harness/runner/process-ids.ts and op.ts):
 * every completion matches an open invoke of the same process and f; a process has at most one
 * open op; a process that got `info` is never used again; a worker's process ids only grow by
 * multiples of the concurrency. Returns the violations found (empty = the history follows it).
 */
export function processModelViolations(history: readonly Op[], concurrency: number): string[] {
  const problems: string[] = [];
  const open = new Map<string, Op>();
  const retired = new Set<string>();
  const latestOfWorker = new Map<number, number>();
  for (const op of history) {
    // nemesis ops are info/info pairs in Jepsen's shape; the client process model does not apply
    if (op.process === 'nemesis') continue;
    if (!Number.isInteger(op.process) || op.process < 0) { problems.push(`op ${op.index}: bad process ${op.process}`); continue; }
    const key = String(op.process);
    const worker = op.process % concurrency;
    const latest = latestOfWorker.get(worker);
    if (latest !== undefined && op.process < latest) problems.push(`op ${op.index}: process ${op.process} used after its worker moved on to ${latest}`);
    else latestOfWorker.set(worker, op.process);
    if (op.type === 'invoke') {
      if (retired.has(key)) problems.push(`op ${op.index}: process ${key} invoked after it was retired by an info`);
      if (open.has(key)) problems.push(`op ${op.index}: process ${key} invoked while op ${open.get(key)!.index} is still open`);
      open.set(key, op);
      continue;
    }
    const inv = open.get(key);
    if (!inv) { problems.push(`op ${op.index}: ${op.type} of process ${key} without an open invoke`); continue; }
    if (inv.f !== op.f) problems.push(`op ${op.index}: completion f ${op.f} does not match invoke ${inv.index} f ${inv.f}`);
    open.delete(key);
    if (op.type === 'info') retired.add(key);
  }
  return problems;
}

/** invokes that never got a completion (allowed: they stay pending) */
export function pendingInvokes(history: readonly Op[]): Op[] {
  const open = new Map<string, Op>();
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    const key = String(op.process);
    if (op.type === 'invoke') open.set(key, op);
    else open.delete(key);
  }
  return [...open.values()];
}
