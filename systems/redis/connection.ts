import { Redis } from 'ioredis';
import type { NodeEndpoint } from '../../api/runtime.ts';
import type { Completion } from '../../api/workload.ts';
import { MASTER_NAME } from './config.ts';

/**
 * A client that follows Sentinel to the current primary. No retries and no offline queue: a
 * command is sent once, or refused at once when there is no connection (then certainly not run),
 * so every outcome is recorded as it happened.
 */
export function primaryClient(cluster: readonly NodeEndpoint[], timeoutMs: number): Redis {
  return quiet(new Redis({
    sentinels: cluster.map((n) => ({ host: n.host, port: n.ports.sentinel! })),
    name: MASTER_NAME,
    role: 'master',
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    failoverDetector: true,
    sentinelMaxConnections: cluster.length,
    retryStrategy: () => 100,
    sentinelRetryStrategy: () => 100,
    // a demoted primary answers READONLY: find the new one (without resending the command)
    reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 1 : false),
    lazyConnect: false,
  }));
}

/** connection errors reach us as failed commands; without a listener ioredis also prints each one */
function quiet(r: Redis): Redis {
  r.on('error', () => {});
  return r;
}

/** a plain connection to one node's own redis-server (its view, for final reads and probes) */
export function nodeClient(node: NodeEndpoint, timeoutMs: number, port = node.ports.redis!): Redis {
  return quiet(new Redis({
    host: node.host, port,
    commandTimeout: timeoutMs, connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0, enableOfflineQueue: true, retryStrategy: () => null, lazyConnect: true,
  }));
}

/** was the command certainly not run? (refused before sending, or refused by the server) */
function definitelyNotRun(message: string): boolean {
  return /enableOfflineQueue|Stream isn't writeable|Connection is closed|READONLY|NOREPLICAS|MASTERDOWN|LOADING|NOSCRIPT|ERR wrong number/.test(message)
    && !/Command timed out/.test(message);
}

/** a failed command: fail when certainly not run (or a read), else info */
export function failure(e: unknown, value: unknown, isRead: boolean): Completion {
  const error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  return { type: isRead || definitelyNotRun(error) ? 'fail' : 'info', value, error };
}

/**
 * After a write: with --system-params wait-replicas=N, WAIT until N replicas acknowledged it. A
 * write they did not all acknowledge ran on the primary but may be lost: unknown, so info.
 */
export async function afterWrite(redis: Redis, waitReplicas: number, timeoutMs: number, value: unknown): Promise<Completion> {
  if (waitReplicas <= 0) return { type: 'ok', value };
  const acked = Number(await redis.wait(waitReplicas, Math.max(1, Math.floor(timeoutMs / 2))));
  return acked >= waitReplicas ? { type: 'ok', value } : { type: 'info', value, error: `WAIT: ${acked} of ${waitReplicas} replicas acknowledged` };
}
