import { z } from 'zod';

/**
 * The Redis plug-in's own params (`--system-params "k=v,…"` or `system-params:` in the config):
 * Sentinel's timeouts, and the two knobs that trade availability for fewer lost writes.
 */
export const redisParamsSchema = z.strictObject({
  /** Sentinel's down-after-milliseconds: how long a primary may be silent before it is judged down */
  'down-after-ms': z.coerce.number().int().min(100).default(1000),
  /** Sentinel's failover-timeout */
  'failover-timeout-ms': z.coerce.number().int().min(500).default(3000),
  /** the primary refuses writes (NOREPLICAS) unless this many replicas are connected and recent */
  'min-replicas-to-write': z.coerce.number().int().min(0).default(0),
  /** after each write, WAIT for this many replicas to acknowledge it (0: do not wait); a write not acknowledged by them is recorded as info */
  'wait-replicas': z.coerce.number().int().min(0).default(0),
});
export type RedisParams = z.infer<typeof redisParamsSchema>;

export function parseRedisParams(raw: unknown): RedisParams {
  const parsed = redisParamsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`system-params.${issue.path.join('.') || '(params)'}: ${issue.message} (redis takes: ${Object.keys(redisParamsSchema.shape).join(', ')})`);
}
