import type { OpPair } from './op-pairs.ts';

/**
 * The history workload's ops, parsed defensively:
 * append [key, v] (v a unique integer) and read [key, [v...]] (the node's causal order).
 * Keys are compared as strings, since final states come from JSON objects.
 */
export interface Append { pair: OpPair; key: string; value: number }
export interface ListRead { pair: OpPair; key: string; values: number[] }

export function parseAppend(p: OpPair): Append | undefined {
  if (p.f !== 'append' || p.process === 'nemesis') return undefined;
  const v = (p.completion && p.type === 'ok' ? p.value : p.invoke.value) as unknown;
  if (!Array.isArray(v) || v.length < 2 || !isKey(v[0]) || typeof v[1] !== 'number') return undefined;
  return { pair: p, key: String(v[0]), value: v[1] };
}

/** Ok reads only: nothing was observed otherwise. */
export function parseListRead(p: OpPair): ListRead | undefined {
  if (p.f !== 'read' || p.type !== 'ok' || p.process === 'nemesis') return undefined;
  const v = p.value as unknown;
  if (!Array.isArray(v) || v.length < 2 || !isKey(v[0]) || !Array.isArray(v[1])) return undefined;
  const list = v[1] as unknown[];
  // copy only when something is not a number: lists can hold thousands of values
  const values = list.every((x) => typeof x === 'number') ? (list as number[]) : list.filter((x): x is number => typeof x === 'number');
  return { pair: p, key: String(v[0]), values };
}

/** The {keys: {key: [v...]}} part of a history final-read state, or undefined. */
export function finalLists(state: unknown): Map<string, number[]> | undefined {
  const keys = (state as { keys?: unknown } | null)?.keys;
  if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) return undefined;
  const out = new Map<string, number[]>();
  for (const [k, list] of Object.entries(keys as Record<string, unknown>)) {
    if (Array.isArray(list)) out.set(k, list.filter((x): x is number => typeof x === 'number'));
  }
  return out;
}

const isKey = (k: unknown): k is string | number => typeof k === 'string' || typeof k === 'number';
