import type { ResultsJson } from './types.ts';

/** One acknowledged write a checker found lost, as the report's table and timeline show it. */
export interface LostRow {
  checker: string;
  key: string | null;
  value: unknown;
  process: number | string;
  node: string | null;
  ackS: number;
  faults: string[];
  missingOn: string[];
}

/** the lost writes of every checker that lists them (lost-writes, set-full): `result.lost` rows */
export function lostRows(results: ResultsJson | null): { rows: LostRow[]; total: number } {
  const rows: LostRow[] = [];
  let total = 0;
  for (const c of results?.checkers ?? []) {
    const lost = (c.result as { lost?: unknown }).lost;
    if (!Array.isArray(lost)) continue;
    const count = (c.result as { lostCount?: unknown; lost?: unknown[] }).lostCount;
    total += typeof count === 'number' ? count : lost.length;
    for (const l of lost as Record<string, unknown>[]) {
      rows.push({
        checker: c.name,
        key: l.key === undefined ? null : String(l.key),
        value: l.value,
        process: (l.process as number | string) ?? '?',
        node: typeof l.node === 'string' ? l.node : null,
        ackS: Number(l.ackS ?? NaN),
        faults: Array.isArray(l.faults) ? (l.faults as string[]) : [],
        missingOn: Array.isArray(l.missingOn) ? (l.missingOn as string[]) : [],
      });
    }
  }
  return { rows, total };
}
