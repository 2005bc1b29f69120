import type { Client, ClientContext } from '../../../api/client.ts';
import { afterWrite, failure, nodeClient, primaryClient } from '../connection.ts';

const key = (k: number | string) => `h:${k}`;
const numbers = (xs: string[]) => xs.map(Number);

/** history on Redis: RPUSH appends to the key's list on the primary, LRANGE reads it */
export function historyClient(ctx: ClientContext): Client {
  const redis = primaryClient(ctx.cluster, ctx.timeoutMs);
  const waitReplicas = Number(ctx.systemParams?.['wait-replicas'] ?? 0);
  const keyCount = ctx.workload.params.keys as number;
  return {
    async invoke(op) {
      const [k, v] = op.value as [number, number];
      try {
        if (op.f === 'append') { await redis.rpush(key(k), String(v)); return await afterWrite(redis, waitReplicas, ctx.timeoutMs, op.value); }
        if (op.f === 'read') return { type: 'ok', value: [k, numbers(await redis.lrange(key(k), 0, -1))] };
        return { type: 'fail', value: op.value, error: `history has no op ${op.f}` };
      } catch (e) { return failure(e, op.value, op.f === 'read'); }
    },
    async finalRead() {
      const own = nodeClient(ctx.node, ctx.timeoutMs);
      try {
        const keys: Record<string, number[]> = {};
        for (let k = 0; k < keyCount; k++) keys[k] = numbers(await own.lrange(key(k), 0, -1));
        return { type: 'ok', value: { state: { keys } } };
      } catch (e) { return failure(e, null, true); } finally { own.disconnect(); }
    },
    async close() { redis.disconnect(); },
  };
}
