/**
 * Cleanups that must run however the harness ends (crash in a timer, unhandled rejection, second
 * Ctrl-C): heal the nemesis' faults, tear the cluster down. The run registers them while it owns
 * resources; main.ts calls runEmergencyCleanups before exiting on a crash.
 */
const cleanups = new Set<() => Promise<void>>();

export function onEmergency(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export async function runEmergencyCleanups(): Promise<void> {
  const all = [...cleanups];
  cleanups.clear();
  for (const fn of all) {
    try { await fn(); } catch { /* best effort: the next cleanup must still run */ }
  }
}
