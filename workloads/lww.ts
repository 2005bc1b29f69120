import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { NodeEndpoint } from '../api/runtime.ts';
import { requestSync, httpJson } from './http.ts';
import { readCompletion, writeCompletion } from './outcome.ts';
import { finalReadOf } from './final-read.ts';
import type { CheckSpec, GeneratedOp, Workload, WorkloadClient } from '../api/workload.ts';

/** lww: reads, writes and compare-and-set on a few last-writer-wins registers. */
export const lwwParamsSchema = z.strictObject({
  keys: z.int().min(1).max(1000).default(3),
  'read-fraction': z.number().min(0).max(1).default(0.4),
  'cas-fraction': z.number().min(0).max(1).default(0.2),
});
export type LwwParams = z.infer<typeof lwwParamsSchema>;

/**
 * Written values are unique (a counter), which keeps the linearizability search narrow; a cas
 * expects one of the key's recently generated values so that some succeed and some are refused.
 */
export function lwwGenerator(p: LwwParams, rng: Rng): () => GeneratedOp {
  let next = 1;
  const recent = new Map<number, number[]>();
  return () => {
    const key = rng.int(0, p.keys - 1);
    const u = rng.next();
    if (u < p['read-fraction']) return { f: 'read', value: [key, null] };
    const v = next++;
    const seen = recent.get(key) ?? [];
    recent.set(key, [...seen.slice(-2), v]);
    if (u < p['read-fraction'] + p['cas-fraction'] && seen.length > 0) return { f: 'cas', value: [key, [rng.pick(seen), v]] };
    return { f: 'write', value: [key, v] };
  };
}

function registerValue(body: any): unknown {
  if (!body || typeof body !== 'object' || !('value' in body)) throw new Error('no "value" field');
  return body.value ?? null;
}

export function lwwWorkload(p: LwwParams): Workload {
  const keys = Array.from({ length: p.keys }, (_, i) => i);
  return {
    name: 'lww',
    params: { keys, readFraction: p['read-fraction'], casFraction: p['cas-fraction'] },
    nodeArgs: [],
    generator: (rng) => lwwGenerator(p, rng),
    client(ep: NodeEndpoint, { timeoutMs }): WorkloadClient {
      return {
        async invoke(op, signal) {
          const [key, arg] = op.value as [number, any];
          const url = `${ep.http}/kv/${key}`;
          if (op.f === 'read') return readCompletion(await httpJson('GET', url, undefined, signal, timeoutMs), op.value, (b) => [key, registerValue(b)]);
          if (op.f === 'write') return writeCompletion(await httpJson('PUT', url, { value: arg }, signal, timeoutMs), op.value);
          if (op.f === 'cas') return writeCompletion(await httpJson('POST', `${url}/cas`, { expected: arg[0], new: arg[1] }, signal, timeoutMs), op.value);
          return { type: 'fail', value: op.value, error: `lww has no op ${op.f}` };
        },
        sync: (signal) => requestSync(ep.http, signal, timeoutMs),
        finalRead(signal) {
          return finalReadOf(ep.http, signal, timeoutMs, async () => {
            const registers: Record<string, unknown> = {};
            for (const k of keys) {
              const r = await httpJson('GET', `${ep.http}/kv/${k}`, undefined, signal, timeoutMs);
              if (r.kind !== 'ok') return r;
              try { registers[k] = registerValue(r.body); } catch (e) { return { kind: 'unknown', error: `bad answer: ${(e as Error).message}` }; }
            }
            return { kind: 'ok', status: 200, body: null, state: { registers } };
          });
        },
      };
    },
    checks(): CheckSpec[] {
      return [
        { name: 'stats', checker: 'statsChecker', expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' },
        { name: 'linearizability', checker: 'linearizabilityChecker', module: 'linearizability', expected: 'may-fail', why: 'maep replicates asynchronously and answers from its local view: stale reads and cas on old values are allowed for an AP store' },
        { name: 'session', checker: 'sessionChecker', expected: 'may-fail', why: "last-writer-wins lets a concurrent write from another node (or an older one from a node with a skewed clock) replace a process's own write, so read-your-writes on a register is not promised" },
        { name: 'convergence', checker: 'convergenceChecker', expected: 'valid', why: 'after healing, anti-entropy must bring every node to the same registers and Merkle root' },
      ];
    },
  };
}
