/**
 * Redis with Sentinel as a system under test (Debian's redis-server and redis-sentinel): every
 * node runs one redis-server and one Sentinel; n1 starts as primary; clients follow Sentinel
 * (ioredis) to whoever is primary now. The result people come for: acknowledged writes that a
 * failover under a partition loses.
 */
import type { System } from '../../api/system.ts';
import { REDIS_PORTS, REDIS_SERVER, SHELL, launchRedis, redisProblem } from './launch.ts';
import { parseRedisParams } from './params.ts';
import { clusterReady, primaries, probe } from './cluster.ts';
import { HISTORY_EXPECTATIONS, LWW_EXPECTATIONS, SET_EXPECTATIONS } from './expectations.ts';
import { historyClient } from './clients/history.ts';
import { setClient } from './clients/set.ts';
import { lwwClient } from './clients/lww.ts';

export const redis: System = {
  name: 'redis',
  description: 'Redis with Sentinel (Debian redis-server), asynchronous primary/replica replication with automatic failover',
  // Sentinel and replicas announce their own addresses: only kernel-level partitions reach them
  runtimes: ['netns', 'docker'],
  programs: [SHELL, REDIS_SERVER],
  ports: { ports: { ...REDIS_PORTS }, peer: ['redis', 'sentinel'] },
  // Debian's redis-server allocates with jemalloc, which recurses into libfaketime's clock_gettime
  // at start and fails: clock faults cannot reach it
  needs: { dialsGivenPeerAddresses: false, libfaketime: false, clockOffsetFile: false },
  workloads: {
    history: { client: historyClient, expect: () => HISTORY_EXPECTATIONS },
    set: { client: setClient, expect: () => SET_EXPECTATIONS },
    lww: { client: lwwClient, expect: () => LWW_EXPECTATIONS },
  },
  parseParams: (raw) => parseRedisParams(raw),
  preflight: async () => redisProblem(),
  launch: launchRedis,
  probe: (node) => probe(node),
  clusterReady: (nodes, _run, signal) => clusterReady(nodes, signal),
  primaries: (nodes) => primaries(nodes),
};

export default redis;
