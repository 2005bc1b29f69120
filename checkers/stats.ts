import type { CheckResult } from '../api/checker.ts';
import type { SyncChecker } from './sync-checker.ts';
import { pairOps } from './op-pairs.ts';

/** ok/fail/info/pending counts for one f. */
export interface FCounts { ok: number; fail: number; info: number; pending: number; total: number }

/**
 * Counts outcomes per f (issue 3). Nemesis and final-read ops are counted but do not decide
 * validity: a run in which no client op succeeded tested nothing and is invalid.
 */
export const statsChecker: SyncChecker = (history): CheckResult => {
  const byF: Record<string, FCounts> = {};
  const client: FCounts = { ok: 0, fail: 0, info: 0, pending: 0, total: 0 };
  for (const p of pairOps(history)) {
    const c = (byF[p.f] ??= { ok: 0, fail: 0, info: 0, pending: 0, total: 0 });
    c[p.type]++; c.total++;
    if (p.process !== 'nemesis' && p.f !== 'final-read') { client[p.type]++; client.total++; }
  }
  const valid = client.ok > 0;
  const summary = valid
    ? `${client.total} client ops: ${client.ok} ok, ${client.fail} fail, ${client.info} info, ${client.pending} pending`
    : client.total === 0 ? 'no client ops in the history' : `none of ${client.total} client ops succeeded`;
  return { valid, summary, client, byF };
};
