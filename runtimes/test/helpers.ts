/** Shared helpers for the runtime tests (any runtime): temp run dirs, polling, leftovers. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterSpec, SystemNeeds } from '../../api/runtime.ts';
import type { SystemRun } from '../../api/system.ts';
import { clusterSpec } from '../../harness/system/cluster-spec.ts';
import { createWorkload } from '../../workloads/index.ts';
import { listeningPorts } from '../local/ports.ts';
import { commandLine, processAlive } from '../local/processes.ts';
import { probeSystem } from './fixtures/probe-system.ts';

export function tempRunDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `splitbrain-rt-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** the probe system's ClusterSpec for one test cluster (entry/needs overridable, e.g. a missing entry) */
export function probeSpec(nodes: string[], runDir: string, runId: string, over: { entry?: string; needs?: Partial<SystemNeeds>; nodeArgs?: string[]; files?: Record<string, string> } = {}): ClusterSpec {
  const run: SystemRun = { nodes, runDir, workload: createWorkload('lww'), faultKinds: [], nodeArgs: over.nodeArgs ?? [] };
  const spec = clusterSpec(probeSystem(over), run, runId);
  return over.files ? { ...spec, launch: (host) => ({ ...spec.launch(host), files: over.files }) } : spec;
}

/** poll `probe` until it returns a value other than undefined/false, or fail with a clear message */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, stepMs = 50): Promise<T> {
  const end = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
      last = v;
    } catch (err) {
      last = (err as Error).message;
    }
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** wait (bounded) until none of the pids runs and none of the ports listens; throws what is left */
export async function assertAllGone(pids: number[], ports: number[], timeoutMs = 10_000): Promise<void> {
  let leftover: unknown = null;
  await waitFor('every process gone and every port closed', () => {
    const alive = pids.filter(processAlive);
    const listening = listeningPorts();
    const open = ports.filter((p) => listening.has(p));
    return alive.length === 0 && open.length === 0 ? true : (void (leftover = { alive, open }), false);
  }, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}; left behind: ${JSON.stringify(leftover)}`);
  });
}

/** pids of processes whose command line mentions `needle` (e.g. a run dir), this process excluded */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (commandLine(pid).includes(needle) && processAlive(pid)) out.push(pid);
  }
  return out;
}
