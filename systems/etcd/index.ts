/**
 * etcd as a system under test (Debian's etcd-server, 3.4+): a static raft cluster, the etcd3
 * gRPC client bound to one member per worker, and what each checker must show of a linearizable
 * store — plus serializable reads as the negative control.
 */
import type { System } from '../../api/system.ts';
import { ETCD_PROGRAM, etcdProblem } from './program.ts';
import { ETCD_PORTS, launchEtcd } from './launch.ts';
import { BANK_EXPECTATIONS, HISTORY_EXPECTATIONS, TXN_EXPECTATIONS, lwwExpectations } from './expectations.ts';
import { txnClient } from './clients/txn.ts';
import { clusterReady, primaries, probe } from './cluster.ts';
import { lwwClient } from './clients/lww.ts';
import { bankClient } from './clients/bank.ts';
import { historyClient } from './clients/history.ts';

export const etcd: System = {
  name: 'etcd',
  description: 'etcd (Debian etcd-server), a linearizable raft key-value store; serializable reads as the negative control',
  // members announce their own peer URLs, so per-link proxies cannot cut them: no local runtime
  runtimes: ['netns', 'docker'],
  programs: [ETCD_PROGRAM],
  ports: { ports: { ...ETCD_PORTS }, peer: ['peer'] },
  // a Go binary: libfaketime does not reach its clock
  needs: { dialsGivenPeerAddresses: false, libfaketime: false, clockOffsetFile: false },
  workloads: {
    lww: { client: lwwClient, expect: lwwExpectations },
    bank: { client: bankClient, expect: () => BANK_EXPECTATIONS },
    history: { client: historyClient, expect: () => HISTORY_EXPECTATIONS },
    'list-append': { client: txnClient('list-append'), expect: () => TXN_EXPECTATIONS('list-append') },
    'rw-register': { client: txnClient('rw-register'), expect: () => TXN_EXPECTATIONS('rw-register') },
  },
  preflight: async () => etcdProblem(),
  launch: launchEtcd,
  probe,
  clusterReady,
  primaries: (nodes) => primaries(nodes),
};

export default etcd;
