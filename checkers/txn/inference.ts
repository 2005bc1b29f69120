import type { Key, Txn } from './types.ts';
import type { AnomalyBag } from './refs.ts';
import type { EdgeBuilder } from './graph.ts';

/** names the txns of one explanation: T1, T2, ... for the cycle's own, "the txn at op 12 (process 3)" for any other */
export type Namer = (t: Txn) => string;

/**
 * What a datatype's inference contributes: it adds ww, wr and rw edges to the graph, reports the
 * anomalies it sees without a cycle, and can later say in words why one of its edges exists.
 */
export interface Inference {
  /** why a -kind-> b; null if this inference made no such edge */
  explain(a: Txn, b: Txn, kind: number, name: Namer): { key?: Key; why: string } | null;
  /** what was inferred, for the result's notes */
  notes: string[];
}

export type Infer = (nodes: readonly Txn[], all: readonly Txn[], edges: EdgeBuilder, bag: AnomalyBag) => Inference;
