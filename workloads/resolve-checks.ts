import { importIfBuilt } from '../harness/import-if-built.ts';
import type { Checker, ExpectedCheck } from '../api/checker.ts';
import type { CheckSpec } from '../api/workload.ts';

const MODULES = {
  checkers: '../checkers/index.ts',
  linearizability: '../checkers/linearizability/index.ts',
} as const;

/**
 * Turns a workload's CheckSpecs into runnable checks. The checker modules are imported by path at
 * run time so that a checker not built yet gives an "unknown" verdict with the reason, instead of
 * a harness that cannot start.
 */
export async function resolveChecks(specs: readonly CheckSpec[]): Promise<ExpectedCheck[]> {
  const loaded = new Map<string, Record<string, unknown> | string>();
  async function load(which: keyof typeof MODULES): Promise<Record<string, unknown> | string> {
    if (loaded.has(which)) return loaded.get(which)!;
    let mod: Record<string, unknown> | string;
    try { mod = (await importIfBuilt(new URL(MODULES[which], import.meta.url))) ?? `${MODULES[which].slice(3)} does not exist yet`; } catch (e) { mod = `${MODULES[which].slice(3)} failed to load: ${(e as Error).message.split('\n')[0]}`; }
    loaded.set(which, mod);
    return mod;
  }
  const out: ExpectedCheck[] = [];
  for (const s of specs) {
    const mod = await load(s.module ?? 'checkers');
    let check: Checker;
    if (typeof mod === 'string') check = unavailable(`checker ${s.name} not available: ${mod}`);
    else if (typeof mod[s.checker] !== 'function') check = unavailable(`checker ${s.name} not available: ${MODULES[s.module ?? 'checkers'].slice(3)} has no export ${s.checker}`);
    else check = mod[s.checker] as Checker;
    out.push({ name: s.name, check, expected: s.expected, why: s.why });
  }
  return out;
}

function unavailable(summary: string): Checker {
  return () => ({ valid: 'unknown', summary });
}
