/**
 * The docker tests' default system under test: maep, run deliberately through its plug-in
 * (systems/maep) with clusterSpec(maep, run, runId). Only this file speaks maep's HTTP routes (to
 * observe replication, data and clocks from outside the containers); the runtime never does.
 */
import type { NodeEndpoint } from '../../../api/runtime.ts';
import { clusterSpec } from '../../../harness/system/cluster-spec.ts';
import { maep } from '../../../systems/maep/index.ts';
import { baseUrl } from '../../../systems/maep/address.ts';
import { createWorkload } from '../../../workloads/index.ts';
import type { TestTarget } from './target.ts';

export const maepTarget: TestTarget = {
  name: 'maep',
  systemRef: 'maep',
  programs: maep.programs,
  spec: ({ nodes, runDir, runId, nodeArgs = [] }) =>
    clusterSpec(maep, { nodes, runDir, workload: createWorkload('lww'), faultKinds: [], nodeArgs }, runId),
  async get(ep: NodeEndpoint, key: string) {
    const r = await fetch(`${baseUrl(ep)}/kv/${encodeURIComponent(key)}`, { signal: AbortSignal.timeout(2000) });
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`GET ${key}: HTTP ${r.status}`);
    return ((await r.json()) as { value?: unknown }).value ?? undefined;
  },
  async put(ep: NodeEndpoint, key: string, value: unknown) {
    const r = await fetch(`${baseUrl(ep)}/kv/${encodeURIComponent(key)}`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }), signal: AbortSignal.timeout(5000),
    });
    if (!r.ok) throw new Error(`PUT ${key}: HTTP ${r.status} ${await r.text()}`);
  },
  async status(ep: NodeEndpoint, timeoutMs = 2000) {
    const r = await fetch(`${baseUrl(ep)}/admin/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) throw new Error(`status: HTTP ${r.status}`);
    return (await r.json()) as { id: string; clock: number };
  },
  readyLine: (id) => new RegExp(`maep ${id} ready`),
  relays: true,
};
