import type { Client, ClientContext } from '../../../api/client.ts';
import { afterWrite, failure, nodeClient, primaryClient } from '../connection.ts';

const KEY = 'set';
const sorted = (xs: string[]) => xs.map(Number).sort((a, b) => a - b);

/** set on Redis: SADD on the primary, SMEMBERS to read */
export function setClient(ctx: ClientContext): Client {
  const redis = primaryClient(ctx.cluster, ctx.timeoutMs);
  const waitReplicas = Number(ctx.systemParams?.['wait-replicas'] ?? 0);
  return {
    async invoke(op) {
      try {
        if (op.f === 'add') { await redis.sadd(KEY, String(op.value)); return await afterWrite(redis, waitReplicas, ctx.timeoutMs, op.value); }
        if (op.f === 'read') return { type: 'ok', value: sorted(await redis.smembers(KEY)) };
        return { type: 'fail', value: op.value, error: `set has no op ${op.f}` };
      } catch (e) { return failure(e, op.value, op.f === 'read'); }
    },
    async finalRead() {
      const own = nodeClient(ctx.node, ctx.timeoutMs);
      try { return { type: 'ok', value: { state: { elements: sorted(await own.smembers(KEY)) } } }; } catch (e) { return failure(e, null, true); } finally { own.disconnect(); }
    },
    async close() { redis.disconnect(); },
  };
}
