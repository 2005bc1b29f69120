/**
 * maep as a system under test: how a node is launched, when it is ready, a client per workload and
 * what each checker is expected to show. maep itself (the replica) lives in node/.
 */
import type { System } from '../../api/system.ts';
import type { NodeEndpoint, Readiness } from '../../api/runtime.ts';
import { JsonClient } from '../http-json.ts';
import { PORTS, baseUrl } from './address.ts';
import { MAEP_PROGRAM, launchMaep } from './launch.ts';
import { MAEP_EXPECTATIONS } from './expectations.ts';
import { bankClient } from './clients/bank.ts';
import { lwwClient } from './clients/lww.ts';
import { historyClient } from './clients/history.ts';
import { setClient } from './clients/set.ts';
import { txnClient } from './clients/txn.ts';
import { maepSim } from './sim.ts';
import { maepDataFiles } from './data-files.ts';
import { MAEP_FAULTS } from './byzantine.ts';

/** ready when GET /admin/status answers with this node's id (another program on the port would not) */
async function probe(node: NodeEndpoint, signal: AbortSignal): Promise<Readiness> {
  const http = new JsonClient(baseUrl(node), { timeoutMs: 1000 });
  try {
    const r = await http.call('GET', '/admin/status', undefined, signal);
    if (r.kind === 'ok' && r.body?.id === node.id) return { ready: true };
    return { ready: false, detail: r.kind === 'ok' ? `answered as ${JSON.stringify(r.body?.id)}` : r.error };
  } finally { http.close(); }
}

const expect = (workload: string) => () => MAEP_EXPECTATIONS[workload]!;

export const maep: System = {
  name: 'maep',
  description: 'the built-in AP store: op log, push + Merkle anti-entropy, LWW registers, histories, a bank ledger',
  runtimes: ['local', 'docker', 'netns', 'sim'],
  programs: [MAEP_PROGRAM],
  ports: { ports: { ...PORTS }, peer: ['peer'] },
  needs: { dialsGivenPeerAddresses: true, libfaketime: true, clockOffsetFile: true },
  workloads: {
    bank: { client: bankClient, expect: expect('bank') },
    lww: { client: lwwClient, expect: expect('lww') },
    history: { client: historyClient, expect: expect('history') },
    set: { client: setClient, expect: expect('set') },
    'list-append': { client: txnClient('list-append'), expect: expect('list-append') },
    'rw-register': { client: txnClient('rw-register'), expect: expect('rw-register') },
  },
  launch: launchMaep,
  probe,
  sim: maepSim,
  dataFiles: maepDataFiles,
  faults: MAEP_FAULTS,
};

export default maep;
