import type { CheckResult } from '../api/checker.ts';
import type { SyncChecker } from './sync-checker.ts';
import { pairOps } from './op-pairs.ts';
import { checkHistorySessions } from './session-history.ts';
import { checkRegisterSessions } from './session-registers.ts';
import { GUARANTEES, SessionFindings } from './session-types.ts';

/**
 * Session guarantees per client process (a process is one logical client; one that got `info`
 * is retired, so its successor is a new session): read-your-writes, monotonic reads, monotonic
 * writes, writes-follow-reads. History-workload ops (append/list reads) and register ops
 * (read/write/cas) are both handled; see session-history.ts and session-registers.ts for the
 * exact definitions. Result: per guarantee {valid, count, violations}; "unknown" when nothing
 * applied (no session had anything to check).
 */
export const sessionChecker: SyncChecker = (history): CheckResult => {
  const pairs = pairOps(history);
  const found = new SessionFindings();
  const hasAppends = pairs.some((p) => p.f === 'append');
  const hasRegisters = pairs.some((p) => p.f === 'write' || p.f === 'cas' || (p.f === 'read' && p.type === 'ok' && Array.isArray(p.value) && !Array.isArray((p.value as unknown[])[1])));
  if (hasAppends) checkHistorySessions(pairs, found);
  if (hasRegisters) checkRegisterSessions(pairs, found);

  const guarantees: Record<string, { valid: true | false | 'unknown'; count: number; partial: boolean; violations: unknown[] }> = {};
  let total = 0;
  for (const g of GUARANTEES) {
    const v = found.violations.get(g)!;
    total += v.count;
    const valid = v.count > 0 ? false : found.applied.has(g) ? true : 'unknown';
    guarantees[g] = { valid, count: v.count, partial: found.partial.has(g), violations: v.items };
  }
  if (total > 0) {
    const broken = GUARANTEES.filter((g) => guarantees[g]!.count > 0);
    const first = guarantees[broken[0]!]!.violations[0] as { explanation: string };
    return { valid: false, summary: `${total} session violations (${broken.map((g) => `${g} ${guarantees[g]!.count}`).join(', ')}); first: ${first.explanation}`, guarantees };
  }
  if (found.applied.size === 0) return { valid: 'unknown', summary: 'no session had anything to check (no ok writes/appends followed by reads)', guarantees };
  const held = GUARANTEES.filter((g) => found.applied.has(g));
  return { valid: true, summary: `session guarantees held: ${held.join(', ')}`, guarantees };
};
