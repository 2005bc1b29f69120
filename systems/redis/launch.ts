import { existsSync } from 'node:fs';
import type { Binary, LaunchSpec, NodeHost } from '../../api/runtime.ts';
import type { SystemRun } from '../../api/system.ts';
import { parseRedisParams } from './params.ts';
import { redisConf, sentinelConf } from './config.ts';

export const REDIS_PORTS = { redis: 6379, sentinel: 26379 } as const;

export const SHELL: Binary = { kind: 'binary', name: 'sh', path: '/bin/sh' };
export const REDIS_SERVER: Binary = { kind: 'binary', name: 'redis-server', path: '/usr/bin/redis-server' };

/** null when redis-server is installed, else what to do */
export function redisProblem(): string | null {
  return existsSync(REDIS_SERVER.path) ? null : `redis-server is not installed (${REDIS_SERVER.path}): apt-get install redis-server redis-sentinel`;
}

/**
 * One node = one redis-server and one Sentinel (the same binary with --sentinel), started by a
 * shell so that a kill or a pause of the node's process group hits both, as a crash of the machine
 * would. The config files are written once; Sentinel and failovers rewrite them afterwards, and a
 * restarted node must come back with what they learned.
 */
export function launchRedis(host: NodeHost, run: Pick<SystemRun, 'systemParams'>): LaunchSpec {
  const p = parseRedisParams(run.systemParams);
  const dir = host.dataDir;
  return {
    program: SHELL,
    args: ['-c', `${REDIS_SERVER.path} "$1" --sentinel & exec ${REDIS_SERVER.path} "$2"`, 'redis-node', `${dir}/sentinel.conf`, `${dir}/redis.conf`],
    files: { 'redis.conf': redisConf(host, p), 'sentinel.conf': sentinelConf(host, p) },
  };
}
