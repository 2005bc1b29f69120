/** Small helpers about OS processes by pid (Linux /proc where available). */
import { readFileSync } from 'node:fs';

/**
 * True when the process exists and is not a zombie. A zombie holds no ports or files; it only
 * waits to be reaped, which an unusual pid 1 (containers, VMs) may never do.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // state is the field after the parenthesised command name
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** send a signal, ignoring "no such process" */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** the process's command line, or '' when it is gone or unreadable */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** poll until `cond` holds or `timeoutMs` passes; returns whether it held */
export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (performance.now() >= end) return false;
    await sleep(stepMs);
  }
}

/**
 * Keep the event loop alive until `p` settles. The runtime unrefs its sockets and children so a
 * harness that forgot teardown still exits; its own awaits must then hold the loop open.
 */
export async function keepAlive<T>(p: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 60_000);
  try {
    return await p;
  } finally {
    clearInterval(timer);
  }
}
