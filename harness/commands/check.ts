import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { showPath } from '../terminal/show-path.ts';
import { UsageError } from '../cli/usage-error.ts';
import { checkFile, LinUsageError } from '../../checkers/linearizability/index.ts';
import { readHistoryFile } from '../history/reader.ts';
import { readEdnHistory } from '../history/edn-read.ts';
import { locateHistory, writeJsonAtomic } from '../runs/run-dir.ts';
import { createWorkload, WORKLOAD_NAMES } from '../../workloads/index.ts';
import { runChecks, verdictOf } from '../runner/verdict.ts';
import { verdictTable, exitLine } from '../terminal/verdict-table.ts';
import { loadSystem } from '../system/load-system.ts';
import { expectedChecks } from '../system/expected-checks.ts';
import type { FaultKind } from '../../api/fault.ts';

/**
 * `check <run dir | history.jsonl>`: re-runs the workload's checkers on a stored history. The
 * system, workload, its params, nodes and faults come from test.json beside the history, or
 * --system / --workload.
 * In a run folder results.json is rewritten; for a bare history file it is only printed.
 */
export async function checkCommand(positionals: string[], flags: Record<string, string | true>, out: NodeJS.WritableStream): Promise<number> {
  if (typeof flags.model === 'string') return checkModel(positionals, flags.model, out);
  if (positionals.length !== 1) throw new UsageError('check needs one argument: a run folder, a history.jsonl or a Jepsen history.edn (e.g. npm run jepsen -- check store/latest)');
  const located = locateHistory(positionals[0]!);
  const { dir } = located;
  // a Jepsen store's folder holds history.edn instead
  const history = !existsSync(located.history) && existsSync(join(dir, 'history.edn')) && located.history === join(dir, 'history.jsonl') ? join(dir, 'history.edn') : located.history;
  if (!existsSync(history)) throw new UsageError(`check: ${positionals[0]} has no history.jsonl or history.edn; give a run folder (store/<test>/<time>), a history.jsonl or a Jepsen history.edn`);
  const testPath = join(dir, 'test.json');
  const hasTest = existsSync(testPath);
  let test: Record<string, any> = {};
  if (hasTest) {
    try { test = JSON.parse(readFileSync(testPath, 'utf8')); } catch { throw new UsageError(`check: ${testPath} is not valid JSON; pass --workload to check the history without it`); }
  }
  const name = (typeof flags.workload === 'string' ? flags.workload : test.workload) as string | undefined;
  if (!name) throw new UsageError(`check: no test.json beside ${showPath(history)}; say which workload it is with --workload ${WORKLOAD_NAMES.join('|')}`);
  if (!WORKLOAD_NAMES.includes(name)) throw new UsageError(`--workload: expected one of ${WORKLOAD_NAMES.join(', ')}, got "${name}"`);
  const system = await loadSystem(typeof flags.system === 'string' ? flags.system : test.config?.system ?? test.system ?? 'maep');
  const kinds: FaultKind[] = Array.isArray(test.config?.nemesis) ? test.config.nemesis : [];
  let workload, checks;
  try {
    workload = createWorkload(name, test.config?.params ?? {});
    checks = expectedChecks(system, workload, kinds);
  } catch (e) { throw new UsageError(`check: ${(e as Error).message}`); }
  const linTimeoutS = Number(flags['lin-timeout'] ?? test.config?.linTimeoutS ?? 60);
  if (!(linTimeoutS > 0)) throw new UsageError(`--lin-timeout: expected a number of seconds > 0, got "${flags['lin-timeout']}"`);

  let read;
  try { read = isEdn(history) ? { ops: readEdnHistory(readFileSync(history, 'utf8'), history), tornTail: false } : readHistoryFile(history); } catch (e) { throw new UsageError(`check: ${(e as Error).message}`); }
  if (read.tornTail) out.write(`note: the last line of ${showPath(history)} was cut short (the harness was killed mid-write); it was skipped\n`);
  const ops = read.ops;
  const nodes: string[] = Array.isArray(test.nodes) ? test.nodes : [...new Set(ops.filter((o) => o.node).map((o) => o.node!))].sort();
  const ctx = { nodes, workload: workload.checkParams, options: { linTimeoutMs: linTimeoutS * 1000 } };
  // one checker at a time, with a full collection between them on a big history: each checker's
  // pairs and views are garbage once it returns, and V8 would otherwise let the heap grow to ~2×
  // what is live before collecting (1M ops: 1.5 GB peak instead of ~0.8 GB; BENCHMARKS.md, check)
  const gc = ops.length >= BIG_HISTORY ? fullCollection() : null;
  const outcomes = [];
  for (const c of checks) {
    outcomes.push(...await runChecks(ops, ctx, [c]));
    gc?.();
  }
  const verdict = verdictOf(outcomes);
  const isRunDir = hasTest && history === join(dir, 'history.jsonl');
  if (isRunDir) writeJsonAtomic(join(dir, 'results.json'), { valid: verdict.valid, exitCode: verdict.exitCode, checkers: outcomes });
  out.write(`${ops.length} ops from ${showPath(history)} (workload ${name})\n\n`);
  out.write(verdictTable(outcomes) + '\n\n');
  if (isRunDir) out.write(`wrote ${showPath(join(dir, 'results.json'))}\n`);
  out.write(exitLine(verdict.exitCode) + '\n');
  return verdict.exitCode;
}

/** ops from which `check` collects garbage between checkers */
const BIG_HISTORY = 200_000;

/** global.gc without --expose-gc on the command line (the flag holds for contexts made after it) */
function fullCollection(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch { return null; }
}

/** `check --model NAME FILE`: the linearizability checker on any history file it can read */
async function checkModel(positionals: string[], model: string, out: NodeJS.WritableStream): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('check --model needs one file: npm run jepsen -- check --model cas-register|kv|lww FILE');
  let res;
  try { res = await checkFile(positionals[0]!, model); } catch (e) {
    if (e instanceof LinUsageError) throw new UsageError(`check --model: ${(e as Error).message}`);
    throw e;
  }
  const valid = res.valid === true ? 'valid' : res.valid === false ? 'invalid' : 'unknown';
  out.write(`linearizability (${model}): ${valid}${res.summary ? ' — ' + res.summary : ''}\n`);
  return res.valid === true ? 0 : res.valid === false ? 1 : 2;
}

/** a Jepsen EDN history (by its name, or a first character no JSONL line starts with) */
function isEdn(path: string): boolean {
  if (path.endsWith('.edn')) return true;
  if (path.endsWith('.jsonl')) return false;
  const head = readFileSync(path, 'utf8').slice(0, 200).trimStart();
  return head.startsWith('[{:') || head.startsWith('{:');
}
