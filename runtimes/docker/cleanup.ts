/**
 * Leaving nothing behind. Three layers:
 *  1. teardown() of each live runtime on SIGINT/SIGTERM, then exit, when nobody else handles the
 *     signal (the controller does, and tears down itself);
 *  2. on process exit (normal, process.exit, uncaught exception) a synchronous reaper child
 *     (reap.mjs) removes the run's containers and network, and temp dirs are deleted;
 *  3. a SIGKILLed harness cannot clean up: everything carries splitbrain.run=<id> and the owner
 *     (host:pid), so `cluster down --all` (removeAllLeftovers) and the next run's start
 *     (reapOrphans: owner on this host no longer alive) remove what is left.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { docker, OWNER_LABEL, RUN_LABEL } from './engine.ts';

interface Live { runId: string; teardown(): Promise<void> }
const live = new Set<Live>();
const tempDirs = new Set<string>();
let hooked = false;

export function trackTempDir(dir: string): void { tempDirs.add(dir); hook(); }
export function untrackTempDir(dir: string): void { tempDirs.delete(dir); }

export function registerRun(r: Live): void { live.add(r); hook(); }
export function unregisterRun(r: Live): void { live.delete(r); }

function hook(): void {
  if (hooked) return;
  hooked = true;
  const onSignal = (sig: NodeJS.Signals, code: number) => {
    // someone else (the controller) handles this signal too: it heals and tears down in its own
    // order, and the 'exit' hook below still reaps whatever it leaves
    if (process.listenerCount(sig) > 1) return;
    void Promise.allSettled([...live].map((r) => r.teardown())).then(() => process.exit(code));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('exit', () => {
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    for (const r of live) reapSync(r.runId);
  });
}

const REAPER = fileURLToPath(new URL('./reap.mjs', import.meta.url));
/** synchronous removal for the 'exit' hook, where no async work can run */
export function reapSync(runId: string): void {
  spawnSync(process.execPath, [REAPER, runId], { stdio: 'ignore', timeout: 30_000 });
}

/** Remove the containers and networks labelled with this run id; returns how many. */
export async function removeRun(runId: string): Promise<number> {
  return removeByFilter([`${RUN_LABEL}=${runId}`]);
}

/**
 * Every container and network labelled by splitbrain, from any run, except runs whose harness is
 * still alive on this host (a run in progress is not a leftover; end it with Ctrl-C).
 */
export async function removeAllLeftovers(): Promise<number> {
  const d = docker();
  const runs = new Set<string>();
  const live = new Set<string>();
  const note = (labels: Record<string, string> | undefined) => {
    const run = labels?.[RUN_LABEL];
    if (run === undefined) return;
    runs.add(run);
    const [host, pid] = (labels?.[OWNER_LABEL] ?? '').split(':');
    if (host === hostname() && pid && /^\d+$/.test(pid) && alive(Number(pid)) && Number(pid) !== process.pid) live.add(run);
  };
  for (const c of await d.listContainers({ all: true, filters: { label: [RUN_LABEL] } })) note(c.Labels);
  for (const n of await d.listNetworks({ filters: { label: [RUN_LABEL] } })) note(n.Labels);
  let n = 0;
  for (const run of runs) if (!live.has(run)) n += await removeRun(run);
  return n;
}

/** Runs started on this host whose harness process is gone (SIGKILL, power loss). */
export async function reapOrphans(): Promise<number> {
  const d = docker();
  const cs = await d.listContainers({ all: true, filters: { label: [RUN_LABEL] } });
  const dead = new Set<string>();
  for (const c of cs) {
    const owner = c.Labels[OWNER_LABEL] ?? '';
    const [host, pid] = owner.split(':');
    if (orphaned(host, pid)) dead.add(c.Labels[RUN_LABEL]!);
  }
  const nets = await d.listNetworks({ filters: { label: [RUN_LABEL] } });
  for (const n of nets) {
    const [host, pid] = (n.Labels?.[OWNER_LABEL] ?? '').split(':');
    if (orphaned(host, pid)) dead.add(n.Labels![RUN_LABEL]!);
  }
  let n = 0;
  for (const id of dead) n += await removeRun(id);
  return n;
}

/** owned by a harness process on this host that is gone (detached clusters have no owner pid) */
function orphaned(host: string | undefined, pid: string | undefined): boolean {
  return host === hostname() && !!pid && /^\d+$/.test(pid) && !alive(Number(pid));
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

async function removeByFilter(label: string[]): Promise<number> {
  const d = docker();
  let n = 0;
  const cs = await d.listContainers({ all: true, filters: { label } });
  await Promise.all(cs.map(async (c) => {
    try { await d.getContainer(c.Id).remove({ force: true, v: true }); n++; } catch (e) { if (!gone(e)) throw e; }
  }));
  const nets = await d.listNetworks({ filters: { label } });
  for (const net of nets) {
    try { await d.getNetwork(net.Id).remove(); n++; } catch (e) { if (!gone(e)) throw e; }
  }
  // data volumes exist only with a remote engine (locally /data is a bind mount into the run folder)
  const vols = (await d.listVolumes({ filters: { label } })).Volumes ?? [];
  for (const v of vols) {
    try { await d.getVolume(v.Name).remove(); n++; } catch (e) { if (!gone(e)) throw e; }
  }
  return n;
}

function gone(e: unknown): boolean {
  const code = (e as { statusCode?: number }).statusCode;
  return code === 404 || code === 409; // already removed / removal already in progress
}
