import { basename } from 'node:path';
import type { LaunchSpec, NodeHost } from '../../api/runtime.ts';
import type { SystemRun } from '../../api/system.ts';
import { ETCD_PROGRAM } from './program.ts';

/** etcd's client (gRPC + HTTP) and peer (raft) ports */
export const ETCD_PORTS = { client: 2379, peer: 2380 } as const;

const url = (host: string, port: number) => `http://${host}:${port}`;

/**
 * A static cluster: every member is told every member's peer URL (--initial-cluster). On a restart
 * the data dir already holds the member, and etcd ignores the initial-* flags. Short heartbeat and
 * election timeouts suit a test: a leader lost to a fault is replaced within about a second.
 */
export function launchEtcd(host: NodeHost, run: Pick<SystemRun, 'runDir' | 'nodeArgs'>): LaunchSpec {
  const members = [{ id: host.id, host: host.host, ports: host.ports }, ...host.peers]
    .map((m) => `${m.id}=${url(m.host, m.ports.peer!)}`).join(',');
  return {
    program: ETCD_PROGRAM,
    args: [
      '--name', host.id,
      '--data-dir', host.dataDir,
      '--listen-client-urls', url(host.bindHost, host.ports.client!),
      '--advertise-client-urls', url(host.host, host.ports.client!),
      '--listen-peer-urls', url(host.bindHost, host.ports.peer!),
      '--initial-advertise-peer-urls', url(host.host, host.ports.peer!),
      '--initial-cluster', members,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', `splitbrain-${basename(run.runDir)}`,
      '--heartbeat-interval', '100',
      '--election-timeout', '1000',
      ...run.nodeArgs,
    ],
  };
}
