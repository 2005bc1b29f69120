import type { Client, ClientContext } from '../../../api/client.ts';
import type { Completion } from '../../../api/workload.ts';
import { JsonClient } from '../../http-json.ts';
import { finalReadOf, requestSync } from '../final-read.ts';
import { baseUrl } from '../address.ts';

export type MicroOp = [string, unknown, unknown];

/** the answer's micro-ops, checked against what was sent (same length, functions and keys) */
export function completedOps(body: any, sent: MicroOp[]): MicroOp[] {
  const ops = body?.ops;
  if (!Array.isArray(ops) || ops.length !== sent.length) throw new Error(`expected "ops" with ${sent.length} micro-ops, got ${JSON.stringify(ops)?.slice(0, 120)}`);
  return ops.map((m: unknown, i: number) => {
    if (!Array.isArray(m) || m.length !== 3 || m[0] !== sent[i]![0] || String(m[1]) !== String(sent[i]![1])) throw new Error(`micro-op ${i} came back as ${JSON.stringify(m)?.slice(0, 80)}`);
    return [m[0], sent[i]![1], m[2]] as MicroOp;
  });
}

/**
 * Elle's list-append and rw-register on maep: each txn is one POST /txn, executed in one step at
 * the node (reads from its local view plus the txn's own writes) and replicated as one op. A 4xx
 * is fail; a timeout, reset or 5xx is info when the txn writes (it may have been applied) and fail
 * when it only reads (nothing changed). The final read is GET /txn: every txn key's list or value.
 */
export function txnClient(kind: 'list-append' | 'rw-register') {
  return (ctx: ClientContext): Client => {
    const http = new JsonClient(baseUrl(ctx.node), { timeoutMs: ctx.timeoutMs });
    return {
      async invoke(op, signal): Promise<Completion> {
        if (op.f !== 'txn') return { type: 'fail', value: op.value, error: `${kind} has no op ${op.f}` };
        const sent = op.value as MicroOp[];
        const r = await http.call('POST', '/txn', { ops: sent }, signal);
        if (r.kind === 'ok') {
          try { return { type: 'ok', value: completedOps(r.body, sent) }; } catch (e) {
            // the node answered 2xx, so the txn happened, but what it read is unknown
            return { type: sent.every((m) => m[0] === 'r') ? 'fail' : 'info', value: op.value, error: `bad answer: ${(e as Error).message}` };
          }
        }
        if (r.kind === 'refused') return { type: 'fail', value: op.value, error: r.error };
        const readOnly = sent.every((m) => m[0] === 'r');
        return { type: readOnly ? 'fail' : 'info', value: op.value, error: r.error };
      },
      sync: (signal) => requestSync(http, signal),
      finalRead(signal) {
        return finalReadOf(http, signal, async () => {
          const r = await http.call('GET', '/txn', undefined, signal);
          if (r.kind !== 'ok') return r;
          const keys = r.body?.keys;
          if (!keys || typeof keys !== 'object' || Array.isArray(keys)) return { kind: 'unknown', error: 'bad answer: no "keys" object' };
          return { ...r, state: { keys } };
        });
      },
      async close() { http.close(); },
    };
  };
}
