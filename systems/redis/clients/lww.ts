import type { Client, ClientContext } from '../../../api/client.ts';
import { afterWrite, failure, nodeClient, primaryClient } from '../connection.ts';

const key = (k: number | string) => `r:${k}`;
const decode = (s: string | null): unknown => (s === null ? null : JSON.parse(s));
/** compare-and-set in one script, which Redis runs atomically */
const CAS = "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2]) return 1 else return 0 end";

/** lww on Redis: SET and GET on the primary, cas as a Lua script */
export function lwwClient(ctx: ClientContext): Client {
  const redis = primaryClient(ctx.cluster, ctx.timeoutMs);
  const waitReplicas = Number(ctx.systemParams?.['wait-replicas'] ?? 0);
  const keyCount = ctx.workload.params.keys as number;
  return {
    async invoke(op) {
      const [k, arg] = op.value as [number, any];
      try {
        if (op.f === 'read') return { type: 'ok', value: [k, decode(await redis.get(key(k)))] };
        if (op.f === 'write') { await redis.set(key(k), JSON.stringify(arg)); return await afterWrite(redis, waitReplicas, ctx.timeoutMs, op.value); }
        if (op.f === 'cas') {
          const done = await redis.eval(CAS, 1, key(k), JSON.stringify(arg[0]), JSON.stringify(arg[1]));
          if (Number(done) !== 1) return { type: 'fail', value: op.value, error: 'compare failed: the value differed' };
          return await afterWrite(redis, waitReplicas, ctx.timeoutMs, op.value);
        }
        return { type: 'fail', value: op.value, error: `lww has no op ${op.f}` };
      } catch (e) { return failure(e, op.value, op.f === 'read'); }
    },
    async finalRead() {
      const own = nodeClient(ctx.node, ctx.timeoutMs);
      try {
        const registers: Record<string, unknown> = {};
        for (let k = 0; k < keyCount; k++) registers[k] = decode(await own.get(key(k)));
        return { type: 'ok', value: { state: { registers } } };
      } catch (e) { return failure(e, null, true); } finally { own.disconnect(); }
    },
    async close() { redis.disconnect(); },
  };
}
