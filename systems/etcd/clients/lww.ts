import type { Client, ClientContext } from '../../../api/client.ts';
import { connect, decode, encode, failure } from '../connection.ts';

const key = (k: number | string) => `r/${k}`;

/**
 * lww on etcd: write = put; read = get (linearizable, or member-local with the workload's
 * serializable-reads param); cas = one txn that compares the value and puts the new one, refused
 * (fail) when the compare does not hold.
 */
export function lwwClient(ctx: ClientContext): Client {
  const etcd = connect(ctx.node, ctx.timeoutMs);
  const serializable = ctx.workload.params['serializable-reads'] === true;
  const keyCount = ctx.workload.params.keys as number;
  const get = (k: number | string) => etcd.get(key(k)).serializable(serializable).string();
  return {
    async invoke(op) {
      const [k, arg] = op.value as [number, any];
      try {
        if (op.f === 'read') return { type: 'ok', value: [k, decode(await get(k))] };
        if (op.f === 'write') { await etcd.put(key(k)).value(encode(arg)); return { type: 'ok', value: op.value }; }
        if (op.f === 'cas') {
          const r = await etcd.if(key(k), 'Value', '==', encode(arg[0])).then(etcd.put(key(k)).value(encode(arg[1]))).commit();
          return r.succeeded ? { type: 'ok', value: op.value } : { type: 'fail', value: op.value, error: 'compare failed: the value differed' };
        }
        return { type: 'fail', value: op.value, error: `lww has no op ${op.f}` };
      } catch (e) { return failure(e, op.value, op.f === 'read'); }
    },
    async finalRead() {
      try {
        const registers: Record<string, unknown> = {};
        for (let k = 0; k < keyCount; k++) registers[k] = decode(await etcd.get(key(k)).string());
        return { type: 'ok', value: { state: { registers } } };
      } catch (e) { return failure(e, null, true); }
    },
    async close() { etcd.close(); },
  };
}
