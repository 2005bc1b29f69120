import fc from 'fast-check';
import { HistoryBuilder } from './history-builder.ts';

/**
 * A simulated correct system for the history workload: nodes with causal delivery.
 * Every append gets a global creation number and the causal context of its node at that moment;
 * a node delivers an entry only after everything in that context; reads list a key's delivered
 * entries in creation order (a causal order). Each client process is pinned to one node, so
 * session guarantees hold too. At the end everything is delivered everywhere and final reads
 * run, so the history must pass lost-writes, causal and session checks.
 */
export type SimStep =
  | { kind: 'append'; worker: number; key: string; outcome: 'ok' | 'fail' | 'info-applied' | 'info-lost' }
  | { kind: 'read'; worker: number; key: string }
  | { kind: 'sync'; from: number; to: number };

export const NODES = ['n1', 'n2', 'n3'];
export const WORKERS = 4;

export const simSteps = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('append' as const), worker: fc.nat(WORKERS - 1), key: fc.constantFrom('a', 'b'),
    outcome: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'info-applied', 'info-lost') as fc.Arbitrary<'ok' | 'fail' | 'info-applied' | 'info-lost'> }),
  fc.record({ kind: fc.constant('read' as const), worker: fc.nat(WORKERS - 1), key: fc.constantFrom('a', 'b') }),
  fc.record({ kind: fc.constant('sync' as const), from: fc.nat(NODES.length - 1), to: fc.nat(NODES.length - 1) }),
), { minLength: 1, maxLength: 40 });

interface Entry { id: number; key: string; value: number; origin: number; context: Set<number> }

export function simulateHistory(steps: readonly SimStep[]): HistoryBuilder {
  const h = new HistoryBuilder(0.01);
  const entries: Entry[] = [];
  const delivered = NODES.map(() => new Set<number>());
  const process = Array.from({ length: WORKERS }, (_, w) => w);
  let nextValue = 1;
  const nodeOf = (worker: number) => worker % NODES.length;
  const list = (n: number, key: string) => entries.filter((e) => e.key === key && delivered[n]!.has(e.id)).map((e) => e.value);
  const deliverFrom = (from: number, to: number) => {
    for (const e of entries) {
      if (delivered[from]!.has(e.id) && !delivered[to]!.has(e.id) && [...e.context].every((c) => delivered[to]!.has(c))) delivered[to]!.add(e.id);
    }
  };

  for (const s of steps) {
    if (s.kind === 'sync') { deliverFrom(s.from, s.to); continue; }
    const p = process[s.worker]!;
    const n = nodeOf(s.worker);
    const node = NODES[n]!;
    if (s.kind === 'read') { h.op(p, 'read', 'ok', [s.key, null], [s.key, list(n, s.key)], node); continue; }
    const value = nextValue++;
    const applied = s.outcome === 'ok' || s.outcome === 'info-applied';
    if (applied) {
      const e: Entry = { id: entries.length, key: s.key, value, origin: n, context: new Set(delivered[n]) };
      entries.push(e);
      delivered[n]!.add(e.id);
    }
    const type = s.outcome === 'ok' ? 'ok' : s.outcome === 'fail' ? 'fail' : 'info';
    h.op(p, 'append', type, [s.key, value], [s.key, value], node);
    if (type === 'info') process[s.worker] = p + WORKERS; // retired, Jepsen style
  }
  // heal: deliver everything everywhere (creation order respects every context)
  h.nemesis('heal');
  for (const d of delivered) for (const e of entries) d.add(e.id);
  NODES.forEach((node, n) => h.finalRead(node, { keys: { a: list(n, 'a'), b: list(n, 'b') } }, 'root', 100 + n));
  return h;
}
