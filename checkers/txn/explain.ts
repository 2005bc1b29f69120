import type { CycleAnomaly, CycleStep, Key, Txn } from './types.ts';
import { EDGE_NAMES } from './types.ts';
import type { FoundCycle } from './cycles.ts';
import type { Inference, Namer } from './inference.ts';
import { explainOrder } from './order.ts';
import { txnRef } from './refs.ts';

/**
 * Turns a found cycle into something a person can check against the history: its txns (T1..Tn,
 * with op index, process and value) and, for every edge, why it exists in words.
 */
export function explainCycle(c: FoundCycle, nodes: readonly Txn[], inference: Inference): CycleAnomaly {
  const txns = c.nodes.map((id) => nodes[id]!);
  const names = new Map<Txn, string>();
  txns.forEach((t, i) => names.set(t, `T${i + 1}`));
  const name: Namer = (t) => names.get(t) ?? `the txn at op ${t.index} (process ${String(t.process)})`;
  const steps: CycleStep[] = [];
  for (let i = 0; i < txns.length; i++) {
    const a = txns[i]!, b = txns[(i + 1) % txns.length]!;
    const kind = c.kinds[i]!;
    const got: { key?: Key; why: string } | null = explainOrder(a, b, kind, name) ?? inference.explain(a, b, kind, name);
    const step: CycleStep = { from: name(a), to: name(b), type: EDGE_NAMES[kind] ?? String(kind), why: got?.why ?? `${name(a)} precedes ${name(b)} (${EDGE_NAMES[kind]})` };
    if (got?.key !== undefined) step.key = got.key;
    steps.push(step);
  }
  const text = steps.map((s) => `${s.from} -${s.type}-> `).join('') + steps[0]!.from;
  return { type: c.spec, txns: txns.map((t, i) => txnRef(t, `T${i + 1}`)), steps, text };
}

/** the cycle as a paragraph: "T1 (op 4, process 0): ... Then: T1 -ww-> T2 because ..." */
export function cycleText(c: CycleAnomaly): string {
  const who = c.txns.map((t) => `${t.name} = op ${t.index} (process ${String(t.process)}, ${t.type}) ${JSON.stringify(t.value)}`).join('; ');
  return `${c.type}: ${c.text}. ${who}. ` + c.steps.map((s) => `${s.from} -${s.type}-> ${s.to}: ${s.why}.`).join(' ');
}
