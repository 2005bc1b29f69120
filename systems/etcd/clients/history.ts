import type { Etcd3 } from 'etcd3';
import type { Client, ClientContext } from '../../../api/client.ts';
import { connect, failure } from '../connection.ts';

const key = (k: number | string) => `h/${k}`;
/** how often an append re-reads and retries when another append changed the list first */
const APPEND_TRIES = 10;

async function list(etcd: Etcd3, k: number | string): Promise<{ values: unknown[]; mod: string }> {
  const r = await etcd.get(key(k)).exec();
  const kv = r.kvs[0];
  return kv ? { values: JSON.parse(kv.value.toString()), mod: kv.mod_revision } : { values: [], mod: '0' };
}

/**
 * history on etcd: each key's list is one JSON value; an append reads it and writes it back with
 * the value added in one txn that holds only if the key's mod revision is unchanged (0 = absent),
 * retried a bounded number of times; a read returns the list.
 */
export function historyClient(ctx: ClientContext): Client {
  const etcd = connect(ctx.node, ctx.timeoutMs);
  const keyCount = ctx.workload.params.keys as number;
  return {
    async invoke(op) {
      const [k, v] = op.value as [number, unknown];
      try {
        if (op.f === 'read') return { type: 'ok', value: [k, (await list(etcd, k)).values] };
        if (op.f !== 'append') return { type: 'fail', value: op.value, error: `history has no op ${op.f}` };
        for (let i = 0; i < APPEND_TRIES; i++) {
          const cur = await list(etcd, k);
          const r = await etcd.if(key(k), 'Mod', '==', cur.mod).then(etcd.put(key(k)).value(JSON.stringify([...cur.values, v]))).commit();
          if (r.succeeded) return { type: 'ok', value: op.value };
        }
        return { type: 'fail', value: op.value, error: `the list kept changing: gave up after ${APPEND_TRIES} tries` };
      } catch (e) { return failure(e, op.value, op.f === 'read'); }
    },
    async finalRead() {
      try {
        const keys: Record<string, unknown[]> = {};
        for (let k = 0; k < keyCount; k++) keys[k] = (await list(etcd, k)).values;
        return { type: 'ok', value: { state: { keys } } };
      } catch (e) { return failure(e, null, true); }
    },
    async close() { etcd.close(); },
  };
}
