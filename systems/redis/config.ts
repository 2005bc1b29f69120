import type { NodeHost } from '../../api/runtime.ts';
import type { RedisParams } from './params.ts';

export const MASTER_NAME = 'splitbrain';

/** the node that starts as primary: the first of the cluster (n1) */
export function initialPrimary(host: NodeHost): { id: string; host: string; port: number } {
  const all = [{ id: host.id, host: host.host, ports: host.ports }, ...host.peers].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const p = all[0]!;
  return { id: p.id, host: p.host, port: p.ports.redis! };
}

/** redis.conf: n1 is the primary, the others replicate it; AOF so a restarted node keeps what it had synced */
export function redisConf(host: NodeHost, p: RedisParams): string {
  const primary = initialPrimary(host);
  return [
    `bind ${host.bindHost}`,
    `port ${host.ports.redis}`,
    'protected-mode no',
    `dir ${host.dataDir}`,
    'daemonize no',
    'appendonly yes',
    'appendfsync everysec',
    'save ""',
    `replica-announce-ip ${host.host}`,
    `min-replicas-to-write ${p['min-replicas-to-write']}`,
    'min-replicas-max-lag 10',
    ...(primary.id === host.id ? [] : [`replicaof ${primary.host} ${primary.port}`]),
    '',
  ].join('\n');
}

/** sentinel.conf: every node's sentinel monitors n1 with a quorum of a majority */
export function sentinelConf(host: NodeHost, p: RedisParams): string {
  const primary = initialPrimary(host);
  const quorum = Math.floor((host.peers.length + 1) / 2) + 1;
  return [
    `bind ${host.bindHost}`,
    `port ${host.ports.sentinel}`,
    'protected-mode no',
    `dir ${host.dataDir}`,
    'daemonize no',
    `sentinel announce-ip ${host.host}`,
    `sentinel monitor ${MASTER_NAME} ${primary.host} ${primary.port} ${quorum}`,
    `sentinel down-after-milliseconds ${MASTER_NAME} ${p['down-after-ms']}`,
    `sentinel failover-timeout ${MASTER_NAME} ${p['failover-timeout-ms']}`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
    '',
  ].join('\n');
}
