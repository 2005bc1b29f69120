import type { Etcd3 } from 'etcd3';
import type { Client, ClientContext } from '../../../api/client.ts';
import { connect, failure } from '../connection.ts';

type MicroOp = [string, number, unknown];
/** how often a transaction re-reads and retries when another one changed its keys first */
const TXN_TRIES = 10;

/**
 * Elle's transactions on etcd, each as one etcd txn: read every key the transaction touches at one
 * revision, apply its micro-ops to those values, then commit all writes in a txn that holds only if
 * none of the keys changed since (their mod revisions) — so reads and writes take effect at one
 * point. A refused compare is retried a bounded number of times (nothing was written).
 * list-append keeps each key's list as a JSON array; rw-register each key's value as JSON.
 */
export function txnClient(kind: 'list-append' | 'rw-register') {
  const prefix = kind === 'list-append' ? 'l/' : 'w/';
  const key = (k: number) => `${prefix}${k}`;
  const writeOp = kind === 'list-append' ? 'append' : 'w';

  async function readAll(etcd: Etcd3, keys: number[]): Promise<Map<number, { value: unknown; mod: string }>> {
    const r = await etcd.if(key(keys[0]!), 'Mod', '>', -1).then(...keys.map((k) => etcd.get(key(k)))).commit();
    const out = new Map<number, { value: unknown; mod: string }>();
    keys.forEach((k, i) => {
      const kv = r.responses[i]!.response_range.kvs[0];
      out.set(k, kv ? { value: JSON.parse(kv.value.toString()), mod: kv.mod_revision } : { value: kind === 'list-append' ? [] : null, mod: '0' });
    });
    return out;
  }

  return (ctx: ClientContext): Client => {
    const etcd = connect(ctx.node, ctx.timeoutMs);
    return {
      async invoke(op) {
        const micro = op.value as MicroOp[];
        const keys = [...new Set(micro.map((m) => m[1]))];
        try {
          for (let i = 0; i < TXN_TRIES; i++) {
            const seen = await readAll(etcd, keys);
            const state = new Map([...seen].map(([k, v]) => [k, Array.isArray(v.value) ? [...v.value] : v.value]));
            const done: MicroOp[] = micro.map(([f, k, v]) => {
              if (f === 'r') return [f, k, Array.isArray(state.get(k)) ? [...(state.get(k) as unknown[])] : state.get(k)];
              if (kind === 'list-append') (state.get(k) as unknown[]).push(v); else state.set(k, v);
              return [f, k, v];
            });
            const written = keys.filter((k) => micro.some((m) => m[0] === writeOp && m[1] === k));
            if (written.length === 0) return { type: 'ok', value: done };
            let txn = etcd.if(key(keys[0]!), 'Mod', '==', seen.get(keys[0]!)!.mod);
            for (const k of keys.slice(1)) txn = txn.and(key(k), 'Mod', '==', seen.get(k)!.mod);
            const r = await txn.then(...written.map((k) => etcd.put(key(k)).value(JSON.stringify(state.get(k))))).commit();
            if (r.succeeded) return { type: 'ok', value: done };
          }
          return { type: 'fail', value: op.value, error: `the keys kept changing: gave up after ${TXN_TRIES} tries` };
        } catch (e) {
          const readOnly = micro.every((m) => m[0] === 'r');
          return failure(e, op.value, readOnly);
        }
      },
      async finalRead() {
        try {
          const all = await etcd.getAll().prefix(prefix).strings();
          const keys = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.slice(prefix.length), JSON.parse(v)]));
          return { type: 'ok', value: { state: { keys } } };
        } catch (e) { return failure(e, null, true); }
      },
      async close() { etcd.close(); },
    };
  };
}
