/**
 * Removing a run's namespaces, veth pairs, bridge and FORWARD rule, by its state file. Synchronous,
 * so it also works where the event loop will not run again (process 'exit', the watcher). Used by
 * teardown, by the watcher when the harness dies, at every setup for runs whose harness is gone,
 * and by `cluster down --all`.
 */
import { processAlive } from '../local/processes.ts';
import { runDown } from './plan.ts';
import { runSync } from './shell.ts';
import { listStates, ownerAlive, removeState, type RunState } from './state.ts';

/** pids of every process inside a namespace (`ip netns pids`); [] when it is gone */
export function pidsIn(ns: string): number[] {
  const r = runSync({ argv: ['ip', 'netns', 'pids', ns] });
  if (r.code !== 0) return [];
  return r.out.split(/\s+/).filter(Boolean).map(Number).filter(Number.isInteger);
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** SIGKILL everything inside the run's namespaces, bounded wait until it is gone */
export function killAllIn(state: RunState, waitMs = 3000): number[] {
  const namespaces = Object.values(state.names.ns);
  const end = Date.now() + waitMs;
  let left: number[] = [];
  for (;;) {
    left = namespaces.flatMap(pidsIn).filter(processAlive);
    for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    if (left.length === 0 || Date.now() > end) return left;
    pause(25);
  }
}

/** everything of one run, then its state file; returns the processes that would not die */
export function removeRun(state: RunState): number[] {
  const stuck = killAllIn(state);
  for (const c of runDown(state.names)) runSync(c); // each may fail: its object is already gone
  // a rule inserted twice (never by us, but cheap to be sure) goes on the second delete
  while (runSync(runDown(state.names).at(-1)!).code === 0) { /* again */ }
  removeState(state.names.tag);
  return stuck;
}

/** runs whose harness is gone: remove them; returns how many */
export function reapDeadRuns(): number {
  let n = 0;
  for (const { state } of listStates()) {
    if (ownerAlive(state.owner)) continue;
    removeRun(state);
    n++;
  }
  return n;
}

/** `cluster down --all`: every netns run on this machine, live or not; returns how many */
export function removeAllLeftovers(): number {
  const all = listStates();
  for (const { state } of all) removeRun(state);
  return all.length;
}
