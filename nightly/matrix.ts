/**
 * The nightly matrix: a YAML file naming workloads × nemeses × runtimes and seeds, expanded into
 * cells, each one `npm run jepsen` invocation. Pure: parsing, validation and expansion only.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const cellExtra = z.object({
  /** a short name for the cell, unique in the matrix */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes'),
  workload: z.string(),
  nemesis: z.string(),
  runtime: z.string().optional(),
  seed: z.number().int().nonnegative().optional(),
  /** extra arguments for every node of the system, passed with --node-args (e.g. one of maep's bug switches) */
  nodeArgs: z.string().optional(),
  /** extra harness flags for this cell */
  args: z.array(z.string()).optional(),
  /** this cell's time limit, when it needs a longer run than the matrix's (e.g. to expose a bug reliably) */
  timeLimitS: z.number().positive().optional(),
}).strict();

export const matrixSchema = z.object({
  workloads: z.array(z.string()).min(1),
  nemeses: z.array(z.string()).min(1),
  /** runtimes to try; the ones not available on this machine are reported as skipped */
  runtimes: z.array(z.enum(['local', 'docker', 'sim'])).min(1).default(['docker', 'local']),
  /** fixed seeds: every cell runs once per seed, so verdicts are comparable night to night */
  seeds: z.array(z.number().int().nonnegative()).default([1]),
  /** how many fresh random seeds per cell on top of the fixed ones */
  freshSeeds: z.number().int().min(0).max(10).default(0),
  /** per-cell time limit in seconds (the harness's --time-limit) */
  timeLimitS: z.number().positive().default(30),
  nodes: z.number().int().min(1).max(9).default(5),
  /** total wall-clock budget for the whole matrix; cells that would not fit are skipped */
  budgetMinutes: z.number().positive().default(60),
  /** harness flags added to every cell */
  args: z.array(z.string()).default([]),
  /** hand-written cells added to the product (e.g. a bug switch that must be caught) */
  extraCells: z.array(cellExtra).default([]),
}).strict();

export type Matrix = z.infer<typeof matrixSchema>;

export interface Cell {
  /** unique, filesystem-safe: e.g. "bank-partition-local-s1" */
  id: string;
  workload: string;
  nemesis: string;
  runtime: string;
  seed: number;
  fresh: boolean;
  nodeArgs?: string;
  args: string[];
  /** overrides the matrix's timeLimitS */
  timeLimitS?: number;
}

/** One clear line naming the bad field, for a malformed matrix file. */
export class MatrixError extends Error {}

export function parseMatrix(text: string, source = 'matrix'): Matrix {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new MatrixError(`${source}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const res = matrixSchema.safeParse(raw ?? {});
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const field = issue.path.join('.') || '(top level)';
    throw new MatrixError(`${source}: field "${field}": ${issue.message}`);
  }
  const names = new Set<string>();
  for (const c of res.data.extraCells) {
    if (names.has(c.name)) throw new MatrixError(`${source}: field "extraCells": duplicate name "${c.name}"`);
    names.add(c.name);
  }
  return res.data;
}

const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '_');

/**
 * Expand the matrix for the runtimes available here. `freshSeed` supplies the fresh seeds (seeded
 * by the caller's clock), so expansion itself stays pure and testable.
 */
export function expandMatrix(m: Matrix, availableRuntimes: readonly string[], freshSeed: () => number): Cell[] {
  const runtimes = m.runtimes.filter((r) => availableRuntimes.includes(r));
  const cells: Cell[] = [];
  for (const runtime of runtimes) {
    for (const workload of m.workloads) {
      for (const nemesis of m.nemeses) {
        const seeds = [
          ...m.seeds.map((seed) => ({ seed, fresh: false })),
          ...Array.from({ length: m.freshSeeds }, () => ({ seed: freshSeed(), fresh: true })),
        ];
        for (const { seed, fresh } of seeds) {
          cells.push({
            id: `${workload}-${slug(nemesis)}-${runtime}-s${seed}`,
            workload, nemesis, runtime, seed, fresh, args: [...m.args],
          });
        }
      }
    }
  }
  for (const c of m.extraCells) {
    const runtime = c.runtime ?? runtimes[0];
    if (!runtime || !availableRuntimes.includes(runtime)) continue;
    const seed = c.seed ?? m.seeds[0] ?? 1;
    cells.push({
      id: `${c.name}-${runtime}-s${seed}`,
      workload: c.workload, nemesis: c.nemesis, runtime, seed, fresh: false,
      nodeArgs: c.nodeArgs, args: [...m.args, ...(c.args ?? [])], timeLimitS: c.timeLimitS,
    });
  }
  return cells;
}

/** The runtimes of the matrix that are not available here, with the reason, for the summary. */
export function skippedRuntimes(m: Matrix, available: Record<string, string | true>): { runtime: string; why: string }[] {
  return m.runtimes
    .filter((r) => available[r] !== true)
    .map((r) => ({ runtime: r, why: typeof available[r] === 'string' ? (available[r] as string) : 'not available' }));
}

/** The harness argv for one cell (after `npm run jepsen --`). */
export function cellArgv(cell: Cell, m: Pick<Matrix, 'timeLimitS' | 'nodes'>, store: string): string[] {
  const argv = [
    'run',
    '--workload', cell.workload,
    '--nemesis', cell.nemesis,
    '--runtime', cell.runtime,
    '--seed', String(cell.seed),
    '--time-limit', String(cell.timeLimitS ?? m.timeLimitS),
    '--nodes', String(m.nodes),
    '--store', store,
  ];
  if (cell.nodeArgs) argv.push(`--node-args=${cell.nodeArgs}`);
  return [...argv, ...cell.args];
}
