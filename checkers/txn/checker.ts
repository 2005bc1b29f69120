import type { Op } from '../../api/history.ts';
import type { CheckContext, CheckResult } from '../../api/checker.ts';
import type { SyncChecker } from '../sync-checker.ts';
import type { Txn } from './types.ts';
import { parseTxns } from './parse.ts';
import { EdgeBuilder, buildGraph, stronglyConnected } from './graph.ts';
import { addProcessEdges, addRealtimeEdges } from './order.ts';
import { inferListAppend } from './list-append.ts';
import { inferRwRegister } from './rw-register.ts';
import { findCycles } from './cycles.ts';
import { explainCycle } from './explain.ts';
import { AnomalyBag } from './refs.ts';
import { MODELS, PROHIBITED, isModel, prohibitedBy, type Model } from './models.ts';

export type TxnKind = 'list-append' | 'rw-register';

export interface TxnCheckOptions {
  /** which datatype the micro-ops are; default: list-append if any txn appends, else rw-register */
  kind?: TxnKind;
  /** the models the history must satisfy; default ["strict-serializable"] (as Elle) */
  models?: readonly string[];
  /** anomalies kept per type (all are counted); default 20 */
  maxPerType?: number;
  /** BFS steps per (component, anomaly) when looking for the shortest cycle */
  cycleBudget?: number;
}

/**
 * Checks a history of txns (f "txn") for the anomalies of Adya / Elle and judges them by the
 * requested consistency models: valid is false as soon as one anomaly any of the models prohibits
 * is found, true otherwise, "unknown" when there was no ok txn to judge. Anomalies the models
 * allow are still reported (`anomalyTypes`), with the models they rule out in `notValidUnder`.
 * Pure, deterministic, never throws on a bad history: malformed ops are skipped and noted.
 */
export function checkTxns(history: readonly Op[], opts: TxnCheckOptions = {}): CheckResult {
  try {
    return run(history, opts);
  } catch (e) {
    return { valid: 'unknown', summary: `txn checker could not run: ${(e as Error).message}`, anomalies: {}, anomalyTypes: [], notes: [String((e as Error).stack ?? e)] };
  }
}

function run(history: readonly Op[], opts: TxnCheckOptions): CheckResult {
  const t0 = performance.now();
  const notes: string[] = [];
  const models: Model[] = [];
  for (const m of opts.models ?? ['strict-serializable']) {
    if (isModel(m)) models.push(m);
    else notes.push(`unknown consistency model ${JSON.stringify(m)} ignored (known: ${MODELS.join(', ')})`);
  }
  if (models.length === 0) { models.push('strict-serializable'); notes.push('no known model requested: judged as strict-serializable'); }

  const parsed = parseTxns(history);
  notes.push(...parsed.notes);
  if (parsed.malformed > parsed.notes.length) notes.push(`${parsed.malformed} malformed txn ops in all`);
  const { txns, nodes } = parsed;
  const kind: TxnKind = opts.kind ?? (txns.some((t) => t.ops.some((m) => m[0] === 'append')) ? 'list-append' : 'rw-register');
  const counts = { ok: 0, info: 0, fail: 0 };
  for (const t of txns) counts[t.type]++;

  const bag = new AnomalyBag(opts.maxPerType ?? 20);
  // about 7 edges per txn in list-append histories (ww, wr, rw, process, realtime)
  const edges = new EdgeBuilder(nodes.length * 8);
  const tInfer = performance.now();
  const inference = (kind === 'list-append' ? inferListAppend : inferRwRegister)(nodes, txns, edges, bag);
  addProcessEdges(nodes, edges);
  addRealtimeEdges(nodes, edges);
  const tGraph = performance.now();
  const graph = buildGraph(nodes.length, edges);
  // the edge list's sources are dead once the CSR is built: Tarjan's working memory
  const comps = stronglyConnected(graph, edges.src);
  const tCycles = performance.now();
  const { cycles, unclassified } = findCycles(graph, comps, { budget: opts.cycleBudget });
  const cap = opts.maxPerType ?? 20;
  const explained = new Map<string, number>();
  for (const c of cycles) {
    const n = explained.get(c.spec) ?? 0;
    explained.set(c.spec, n + 1);
    bag.add(c.spec, n < cap ? explainCycle(c, nodes, inference) : null);
  }
  notes.push(...inference.notes);
  if (unclassified.length) notes.push(`${unclassified.length} strongly connected components (sizes ${unclassified.slice(0, 5).join(', ')}${unclassified.length > 5 ? ', ...' : ''}) hold a cycle the search could not classify within its budget (cycleBudget)`);

  const anomalies: Record<string, unknown[]> = {};
  const anomalyCounts: Record<string, number> = {};
  const types = [...bag.byType.keys()].sort();
  for (const ty of types) { const e = bag.byType.get(ty)!; anomalies[ty] = e.list.filter((x) => x !== null); anomalyCounts[ty] = e.count; }
  const prohibited = prohibitedBy(models);
  const bad = types.filter((ty) => prohibited.has(ty));
  const notValidUnder = MODELS.filter((m) => types.some((ty) => PROHIBITED[m].includes(ty)));
  const allowedFound = types.filter((ty) => !prohibited.has(ty));
  if (allowedFound.length) notes.push(`found but allowed by ${models.join(' and ')}: ${allowedFound.join(', ')}`);

  // a component whose cycle could not be classified: some anomaly is there, we cannot say which
  const valid = bad.length > 0 ? false : counts.ok === 0 || unclassified.length > 0 ? 'unknown' : true;
  const what = `${counts.ok} ok, ${counts.info} info, ${counts.fail} fail ${kind} txns`;
  const summary = bad.length
    ? `${bad.map((ty) => `${anomalyCounts[ty]} ${ty}`).join(', ')} (prohibited by ${models.join(', ')}) in ${what}`
    : counts.ok === 0
      ? `no ok txns to judge (${what})`
      : unclassified.length
        ? `${unclassified.length} dependency cycles could not be classified within the search budget in ${what}`
      : `${models.join(', ')}: no prohibited anomaly in ${what}${types.length ? `; allowed: ${types.join(', ')}` : ''}`;
  const t1 = performance.now();
  return {
    valid,
    summary,
    kind,
    models,
    anomalyTypes: types,
    anomalies,
    anomalyCounts,
    prohibitedFound: bad,
    notValidUnder,
    txns: counts,
    graph: { nodes: nodes.length, edges: edges.length, sccs: comps.sccs.length },
    notes,
    elapsedMs: { infer: round(tGraph - tInfer), graph: round(tCycles - tGraph), cycles: round(t1 - tCycles), total: round(t1 - t0) },
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

/**
 * The models to judge by: `ctx.workload.consistencyModels` (the workloads put their
 * `consistency-models` param there; a string or a list), else `ctx.workload["consistency-models"]`,
 * else ["strict-serializable"].
 */
export function modelsOf(ctx: CheckContext | undefined): string[] | undefined {
  const w = ctx?.workload as Record<string, unknown> | undefined;
  const m = w?.consistencyModels ?? w?.['consistency-models'];
  if (typeof m === 'string') return [m];
  if (Array.isArray(m)) return m.map(String);
  return undefined;
}

function checker(kind: TxnKind | undefined): SyncChecker {
  return (history, ctx) => checkTxns(history, { kind, models: modelsOf(ctx) });
}

/** Elle's list-append checker: micro-ops ["append", k, v] and ["r", k, [v ...]] */
export const listAppendChecker: SyncChecker = checker('list-append');
/** Elle's rw-register checker: micro-ops ["w", k, v] and ["r", k, v | null] */
export const rwRegisterChecker: SyncChecker = checker('rw-register');
/** either, by what the history's txns do */
export const txnChecker: SyncChecker = checker(undefined);

export type { Txn };
