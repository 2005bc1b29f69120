import type { LinResult } from './check.ts';

/**
 * A LinResult as lines for a terminal (the CLI's `check --model` prints this): the verdict, and
 * for a violation the end of the longest linearization, the state, and the ops that could not go
 * next, with why.
 */
export function formatLinResult(result: LinResult, { steps = 8 } = {}): string {
  const lines = [`${result.valid === true ? 'valid' : result.valid === false ? 'INVALID' : 'UNKNOWN'}: ${result.summary}`];
  for (const p of result.partitions ?? []) {
    const shown = p.longestLinearization.slice(-steps);
    const skipped = p.linearizationStepsOmitted + p.longestLinearization.length - shown.length;
    lines.push(`  longest linearization${p.key === null ? '' : ` of key ${JSON.stringify(p.key)}`} (${skipped + shown.length} ops; initial state ${p.initialState}):`);
    if (skipped > 0) lines.push(`    … ${skipped} earlier ops`);
    for (const s of shown) lines.push(`    ${s.describe.padEnd(40)} → ${s.stateAfter}`);
    lines.push(`  state: ${p.stateBefore}; could not place next:`);
    for (const c of p.couldNotPlace) lines.push(`    process ${c.process}: ${c.describe} — ${c.why}`);
  }
  if (result.reason && result.valid === 'unknown') lines.push(`  reason: ${result.reason}`);
  return lines.join('\n');
}
