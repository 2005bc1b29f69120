import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { System } from '../../api/system.ts';
import { BUILTIN_SYSTEMS } from '../../systems/index.ts';
import { UsageError } from '../cli/usage-error.ts';

/**
 * --system NAME|PATH → a System. A name is a built-in system; a path (anything with a slash or a
 * .ts/.js/.mjs ending) is a user's module whose default export, or export named `system`, is one.
 */
export async function loadSystem(nameOrPath: string): Promise<System> {
  const builtin = BUILTIN_SYSTEMS[nameOrPath];
  if (builtin) return builtin;
  if (!/[/\\]|\.(ts|js|mjs)$/.test(nameOrPath)) {
    throw new UsageError(`--system ${nameOrPath}: no such built-in system (built in: ${Object.keys(BUILTIN_SYSTEMS).join(', ')}); give a path to a module that exports a System for your own`);
  }
  const file = resolve(nameOrPath);
  if (!existsSync(file)) throw new UsageError(`--system ${nameOrPath}: no file at ${file}`);
  let mod: Record<string, unknown>;
  try { mod = await import(pathToFileURL(file).href); } catch (e) {
    throw new UsageError(`--system ${nameOrPath}: the module failed to load: ${(e as Error).message.split('\n')[0]}`);
  }
  const sys = (mod.default ?? mod.system) as System | undefined;
  const problem = systemShapeProblem(sys);
  if (problem) throw new UsageError(`--system ${nameOrPath}: ${problem} (see "Test your own system" in the README)`);
  return sys!;
}

/** what a module's export lacks to be a System, or null */
export function systemShapeProblem(sys: unknown): string | null {
  if (!sys || typeof sys !== 'object') return 'the module has no default export (or export named "system") that is a System';
  const s = sys as Partial<System>;
  if (typeof s.name !== 'string' || !s.name) return 'its System has no name';
  for (const f of ['launch', 'probe'] as const) if (typeof s[f] !== 'function') return `its System has no ${f}() function`;
  if (!Array.isArray(s.programs) || s.programs.length === 0) return 'its System lists no programs';
  if (!s.ports || typeof s.ports.ports !== 'object' || !Array.isArray(s.ports.peer)) return 'its System has no ports plan ({ports: {name: number}, peer: [names]})';
  if (!s.needs) return 'its System does not say what it needs of a runtime (needs)';
  if (!s.workloads || Object.keys(s.workloads).length === 0) return 'its System supports no workload';
  if (!Array.isArray(s.runtimes)) return 'its System does not list the runtimes it can run on';
  return null;
}
