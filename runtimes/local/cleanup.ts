/**
 * Process-wide cleanup for local clusters: whatever way the harness ends, no node survives it.
 * - normal exit and crashes (uncaught exception, unhandled rejection) emit process 'exit', where
 *   only synchronous work is possible: every node and supervisor gets SIGKILL;
 * - SIGINT/SIGTERM/SIGHUP (Ctrl-C, kill): a graceful teardown of every live cluster, then, if no
 *   one else listens for that signal, the signal is raised again so the process ends the usual way
 *   (exit code 128+n); a second signal during teardown kills at once;
 * - SIGKILL cannot be caught: there the supervisors (supervisor.ts) notice the closed pipe.
 */
export interface Cleanable {
  teardown(): Promise<void>;
  /** synchronous: SIGKILL everything, no waiting */
  killNow(): void;
}

const live = new Set<Cleanable>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type CaughtSignal = (typeof SIGNALS)[number];
let tearingDown = false;

function onExit(): void {
  for (const c of live) c.killNow();
}

function onSignal(sig: CaughtSignal): void {
  if (tearingDown) {
    onExit();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
  }
  tearingDown = true;
  const all = [...live].map((c) => c.teardown().catch(() => c.killNow()));
  void Promise.all(all).then(() => {
    tearingDown = false;
    const others = process.listeners(sig).filter((l) => l !== handlers[sig]);
    if (others.length === 0) {
      uninstall();
      process.kill(process.pid, sig);
    }
  });
}

const handlers = Object.fromEntries(SIGNALS.map((s) => [s, () => onSignal(s)])) as Record<CaughtSignal, () => void>;
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, handlers[s]);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, handlers[s]);
}

export function track(c: Cleanable): void {
  live.add(c);
  install();
}

export function untrack(c: Cleanable): void {
  live.delete(c);
  if (live.size === 0 && !tearingDown) uninstall();
}
