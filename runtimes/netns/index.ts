/**
 * The netns runtime's public face: runtimes/select.ts imports it for `--runtime netns|auto`,
 * `cluster down --all` for removeAllLeftovers, and `cluster up|status|down` for the detached cluster.
 */
import type { Runtime } from '../../api/runtime.ts';
import { netnsAvailable } from './available.ts';
import { NetnsRuntime, type NetnsRuntimeOptions } from './runtime.ts';

export { netnsAvailable, type NetnsProbe } from './available.ts';
export { removeAllLeftovers, reapDeadRuns } from './leftovers.ts';
export { NetnsRuntime, type NetnsRuntimeOptions } from './runtime.ts';
export { startDetachedCluster, clusterStatus, stopDetachedCluster, netnsStatePath, type DetachedClusterOptions } from './detached.ts';

/** A NetnsRuntime; fails with one clear line when this machine cannot make namespaces. */
export async function createNetnsRuntime(opts: NetnsRuntimeOptions = {}): Promise<Runtime> {
  const a = netnsAvailable();
  if (!a.ok) throw new Error(`netns runtime: ${a.why}; use --runtime local or docker`);
  return new NetnsRuntime(opts);
}
