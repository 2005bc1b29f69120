import type { ProcessId } from '../api/history.ts';
import type { OpPair } from './op-pairs.ts';
import { pairOps } from './op-pairs.ts';
import { finalRounds } from './final-reads.ts';
import { roundS } from './violation-list.ts';

/** The bank workload parameters (CheckContext.workload). */
export interface BankParams { accounts: string[]; initialBalance: number | undefined; total: number | undefined }

export function bankParams(workload: Record<string, unknown> | undefined): BankParams {
  const w = workload ?? {};
  const accounts = Array.isArray(w.accounts) ? w.accounts.map(String) : [];
  const initialBalance = typeof w.initialBalance === 'number' ? w.initialBalance : undefined;
  let total = typeof w.total === 'number' ? w.total : undefined;
  if (total === undefined && initialBalance !== undefined && accounts.length > 0) total = initialBalance * accounts.length;
  return { accounts, initialBalance, total };
}

export interface Transfer { pair: OpPair; from: string; to: string; amount: number }

export function parseTransfer(p: OpPair): Transfer | undefined {
  if (p.f !== 'transfer' || p.process === 'nemesis') return undefined;
  const v = (p.type === 'ok' ? p.value : p.invoke.value) as { from?: unknown; to?: unknown; amount?: unknown } | null;
  if (v === null || typeof v !== 'object' || typeof v.amount !== 'number' || !Number.isFinite(v.amount)) return undefined;
  if (v.from === undefined || v.to === undefined) return undefined;
  return { pair: p, from: String(v.from), to: String(v.to), amount: v.amount };
}

/** A view of all balances: an ok read, or one ok final-read round of a node. */
export interface BalanceView {
  where: 'read' | 'final';
  /** index of the completion line */
  index: number;
  process: ProcessId;
  node: string | null;
  timeS: number;
  balances: Map<string, number>;
  /** entries that were not finite numbers */
  garbled: string[];
}

/** shared by every view with nothing garbled (an array per read cost ~30 MB at 1M ops); never pushed to */
const NONE = Object.freeze([]) as unknown as string[];

function toBalances(value: unknown): { balances: Map<string, number>; garbled: string[] } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const balances = new Map<string, number>();
  let garbled: string[] = NONE;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'number' && Number.isFinite(v)) balances.set(k, v); else (garbled === NONE ? (garbled = []) : garbled).push(k);
  }
  return { balances, garbled };
}

/** Every ok read and every ok final-read round, in history order; plus the parsed pairs. */
export function balanceViews(history: Parameters<typeof pairOps>[0]): { pairs: OpPair[]; views: BalanceView[] } {
  const pairs = pairOps(history);
  const views: BalanceView[] = [];
  for (const p of pairs) {
    if (p.f !== 'read' || p.type !== 'ok' || p.process === 'nemesis' || !p.completion) continue;
    const b = toBalances(p.value);
    if (b) views.push({ where: 'read', index: p.completion.index, process: p.process, node: p.node ?? null, timeS: roundS(p.endS), balances: b.balances, garbled: b.garbled });
  }
  // only final reads are looked up: a map over every pair cost ~60 MB at 1M ops
  const procOf = new Map<number, ProcessId>();
  for (const p of pairs) if (p.completion && p.f === 'final-read') procOf.set(p.completion.index, p.process);
  for (const rounds of finalRounds(pairs).values()) {
    for (const r of rounds) {
      const b = toBalances((r.state as { balances?: unknown } | null)?.balances);
      if (b) views.push({ where: 'final', index: r.index, process: procOf.get(r.index) ?? 0, node: r.node, timeS: roundS(r.timeS), balances: b.balances, garbled: b.garbled });
    }
  }
  views.sort((a, b) => a.index - b.index);
  return { pairs, views };
}
