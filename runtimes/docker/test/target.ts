/**
 * What the docker tests run: a system under test, how to build its ClusterSpec, and how the tests
 * observe a node from outside (get/put a key, its id and wall clock). Two: maep through its
 * plug-in (maep-target.ts, the default once node/main.ts exists) and the system-neutral kv fixture
 * (fixtures/kv-system.ts; SPLITBRAIN_DOCKER_FAKE=1 forces it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClusterSpec, NodeEndpoint, Program } from '../../../api/runtime.ts';
import { clusterSpec } from '../../../harness/system/cluster-spec.ts';
import { createWorkload } from '../../../workloads/index.ts';
import { kvSystem, kvUrl } from './fixtures/kv-system.ts';

export interface SpecOptions { nodes: string[]; runDir: string; runId: string; nodeArgs?: string[] }

export interface TestTarget {
  name: string;
  /** what loadSystem takes: a built-in name or a module path */
  systemRef: string;
  programs: Program[];
  spec(o: SpecOptions): ClusterSpec;
  get(ep: NodeEndpoint, key: string): Promise<unknown>;
  put(ep: NodeEndpoint, key: string, value: unknown): Promise<void>;
  status(ep: NodeEndpoint, timeoutMs?: number): Promise<{ id: string; clock: number }>;
  /** the line a node prints once it serves */
  readyLine(id: string): RegExp;
  /** the system relays writes between peers (anti-entropy), so a dropped direct link may still deliver */
  relays: boolean;
}

export const KV_SYSTEM_PATH = fileURLToPath(new URL('./fixtures/kv-system.ts', import.meta.url));

export const kvTarget: TestTarget = {
  name: 'kv-fixture',
  systemRef: KV_SYSTEM_PATH,
  programs: kvSystem.programs,
  spec: ({ nodes, runDir, runId, nodeArgs = [] }) =>
    clusterSpec(kvSystem, { nodes, runDir, workload: createWorkload('lww'), faultKinds: [], nodeArgs }, runId),
  async get(ep, key) {
    const r = await fetch(`${kvUrl(ep)}/store/${encodeURIComponent(key)}`, { signal: AbortSignal.timeout(2000) });
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`GET ${key}: HTTP ${r.status}`);
    return ((await r.json()) as { value?: unknown }).value ?? undefined;
  },
  async put(ep, key, value) {
    const r = await fetch(`${kvUrl(ep)}/store/${encodeURIComponent(key)}`, { method: 'PUT', body: JSON.stringify({ value }), signal: AbortSignal.timeout(5000) });
    if (!r.ok) throw new Error(`PUT ${key}: HTTP ${r.status} ${await r.text()}`);
  },
  async status(ep, timeoutMs = 2000) {
    const r = await fetch(`${kvUrl(ep)}/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) throw new Error(`status: HTTP ${r.status}`);
    return (await r.json()) as { id: string; clock: number };
  },
  readyLine: (id) => new RegExp(`kv ${id} ready`),
  relays: false,
};

const MAEP_MAIN = fileURLToPath(new URL('../../../node/main.ts', import.meta.url));

/** maep once node/main.ts exists (SPLITBRAIN_DOCKER_FAKE=1 forces the fixture) */
export async function testTarget(name = process.env.SPLITBRAIN_DOCKER_FAKE === '1' || !existsSync(MAEP_MAIN) ? 'kv-fixture' : 'maep'): Promise<TestTarget> {
  if (name === 'kv-fixture') return kvTarget;
  return (await import('./maep-target.ts')).maepTarget;
}
