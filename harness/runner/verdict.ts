import { matches, type CheckerOutcome, type ExpectedCheck, type CheckContext, type Validity } from '../../api/checker.ts';
import type { Op } from '../../api/history.ts';

/** Runs every check; a checker that throws is reported as unknown (with its error), never fatal. */
export async function runChecks(history: readonly Op[], ctx: CheckContext, checks: readonly ExpectedCheck[]): Promise<CheckerOutcome[]> {
  const out: CheckerOutcome[] = [];
  for (const c of checks) {
    const t0 = performance.now();
    let result;
    try {
      result = await c.check(history, ctx);
    } catch (e) {
      result = { valid: 'unknown' as const, summary: `checker crashed: ${(e as Error).message}`, error: String((e as Error).stack ?? e) };
    }
    const valid: Validity = result.valid === true || result.valid === false ? result.valid : 'unknown';
    out.push({ name: c.name, valid, expected: c.expected, why: c.why, matched: matches(valid, c.expected), result, elapsedMs: Math.round(performance.now() - t0) });
  }
  return out;
}

export interface Verdict {
  valid: Validity;
  exitCode: 0 | 1 | 2;
}

/**
 * 1 when any checker decided against its expectation; else 2 when any could not decide; else 0.
 * `valid` is the run's overall validity: false on an unexpected result, unknown when undecided.
 */
export function verdictOf(outcomes: readonly CheckerOutcome[]): Verdict {
  if (outcomes.some((o) => !o.matched && o.valid !== 'unknown')) return { valid: false, exitCode: 1 };
  if (outcomes.some((o) => o.valid === 'unknown')) return { valid: 'unknown', exitCode: 2 };
  return { valid: true, exitCode: 0 };
}
