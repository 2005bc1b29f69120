import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { NodeEndpoint } from '../api/runtime.ts';
import { requestSync, httpJson } from './http.ts';
import { readCompletion, writeCompletion } from './outcome.ts';
import { finalReadOf } from './final-read.ts';
import type { CheckSpec, GeneratedOp, Workload, WorkloadClient } from '../api/workload.ts';

/** history: appends of unique values to a few keys' hash-chained histories, and reads. */
export const historyParamsSchema = z.strictObject({
  keys: z.int().min(1).max(1000).default(3),
  'read-fraction': z.number().min(0).max(1).default(0.3),
});
export type HistoryParams = z.infer<typeof historyParamsSchema>;

/** appended values are unique across the run (a counter), so lost and phantom values can be told apart */
export function historyGenerator(p: HistoryParams, rng: Rng): () => GeneratedOp {
  let next = 1;
  return () => {
    const key = rng.int(0, p.keys - 1);
    if (rng.next() < p['read-fraction']) return { f: 'read', value: [key, null] };
    return { f: 'append', value: [key, next++] };
  };
}

function entryValues(body: any): unknown[] {
  if (!body || !Array.isArray(body.entries)) throw new Error('no "entries" array');
  return body.entries.map((e: any) => e?.value);
}

export function historyWorkload(p: HistoryParams): Workload {
  const keys = Array.from({ length: p.keys }, (_, i) => i);
  return {
    name: 'history',
    params: { keys, readFraction: p['read-fraction'] },
    nodeArgs: [],
    generator: (rng) => historyGenerator(p, rng),
    client(ep: NodeEndpoint, { timeoutMs }): WorkloadClient {
      return {
        async invoke(op, signal) {
          const [key, v] = op.value as [number, unknown];
          const url = `${ep.http}/history/${key}`;
          if (op.f === 'append') return writeCompletion(await httpJson('POST', url, { value: v }, signal, timeoutMs), op.value);
          if (op.f === 'read') return readCompletion(await httpJson('GET', url, undefined, signal, timeoutMs), op.value, (b) => [key, entryValues(b)]);
          return { type: 'fail', value: op.value, error: `history has no op ${op.f}` };
        },
        sync: (signal) => requestSync(ep.http, signal, timeoutMs),
        finalRead(signal) {
          return finalReadOf(ep.http, signal, timeoutMs, async () => {
            const out: Record<string, unknown[]> = {};
            for (const k of keys) {
              const r = await httpJson('GET', `${ep.http}/history/${k}`, undefined, signal, timeoutMs);
              if (r.kind !== 'ok') return r;
              try { out[k] = entryValues(r.body); } catch (e) { return { kind: 'unknown', error: `bad answer: ${(e as Error).message}` }; }
            }
            return { kind: 'ok', status: 200, body: null, state: { keys: out } };
          });
        },
      };
    },
    checks(): CheckSpec[] {
      return [
        { name: 'stats', checker: 'statsChecker', expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' },
        { name: 'lost-writes', checker: 'lostWritesChecker', expected: 'valid', why: "an acknowledged append is in the node's log and is replicated; after healing every node's final read must hold it, and nothing nobody appended" },
        { name: 'causal', checker: 'causalChecker', expected: 'valid', why: "maep makes an entry visible only once everything in its origin's causal context is visible (causal delivery)" },
        { name: 'session', checker: 'sessionChecker', expected: 'may-fail', why: 'each process sticks to one node, but maep promises no session guarantees: a paused, killed or restarted node can come back behind what the session saw' },
        { name: 'convergence', checker: 'convergenceChecker', expected: 'valid', why: 'after healing, anti-entropy must bring every node to the same histories and Merkle root' },
      ];
    },
  };
}
