/** Shared helpers for the local runtime's tests. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpJson } from '../http.ts';
import { REPO_ROOT } from '../local-runtime.ts';
import { listeningPorts } from '../ports.ts';
import { commandLine, processAlive } from '../processes.ts';
import type { NodeEndpoint } from '../../../api/runtime.ts';

export const FAKE_NODE = fileURLToPath(new URL('./fake-node.ts', import.meta.url));

/**
 * The node program the integration tests run: real maep once node/main.ts exists, else the
 * stand-in. SPLITBRAIN_LOCAL_TEST_NODE=fake forces the stand-in (to test the runtime alone).
 */
export function testNodeMain(): string {
  const maep = join(REPO_ROOT, 'node/main.ts');
  return existsSync(maep) && process.env.SPLITBRAIN_LOCAL_TEST_NODE !== 'fake' ? maep : FAKE_NODE;
}

export function tempRunDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `splitbrain-local-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
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

export async function putKey(ep: NodeEndpoint, key: string, value: unknown): Promise<void> {
  const res = await httpJson(`${ep.http}/kv/${encodeURIComponent(key)}`, { method: 'PUT', body: { value }, timeoutMs: 5000 });
  if (res.status !== 200) throw new Error(`PUT ${key} on ${ep.id}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** the key's value on that node, or null when it has none */
export async function getKey(ep: NodeEndpoint, key: string, timeoutMs = 2000): Promise<unknown> {
  const res = await httpJson(`${ep.http}/kv/${encodeURIComponent(key)}`, { timeoutMs });
  if (res.status === 404) return null;
  if (res.status !== 200) throw new Error(`GET ${key} on ${ep.id}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { value?: unknown }).value ?? null;
}

export interface NodeStatus { id: string; clock: number; peers: Array<{ id: string; alive: boolean }> }

export async function status(ep: NodeEndpoint, timeoutMs = 2000): Promise<NodeStatus> {
  const res = await httpJson(`${ep.http}/admin/status`, { timeoutMs });
  if (res.status !== 200) throw new Error(`status of ${ep.id}: ${res.status}`);
  return res.body as NodeStatus;
}

/** wait (bounded) until none of the pids runs and none of the ports listens; throws what is left */
export async function assertAllGone(pids: number[], ports: number[], timeoutMs = 10_000): Promise<void> {
  await waitFor('every process gone and every port closed', () => {
    const alive = pids.filter(processAlive);
    const listening = listeningPorts();
    const open = ports.filter((p) => listening.has(p));
    return alive.length === 0 && open.length === 0 ? true : (void (leftover = { alive, open }), false);
  }, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}; left behind: ${JSON.stringify(leftover)}`);
  });
}
let leftover: unknown = null;

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
