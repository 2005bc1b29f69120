/** The local runtime: nodes as child processes on 127.0.0.1, links through harness-owned proxies. */
export { LocalRuntime, REPO_ROOT, type LocalRuntimeOptions, type ActiveFaults } from './local-runtime.ts';
export { libfaketimePath, type ClockMechanism } from './clock.ts';
export { cannotServeLocally, clockMechanismFor, type ClockPreference } from './serves.ts';
export { faketimeSpec } from '../faketime.ts';
export {
  startDetachedCluster, clusterStatus, stopDetachedCluster, DEFAULT_STATE_FILE,
  type DetachedClusterOptions, type ClusterStatus, type DetachedNodeStatus,
} from './detached-cluster.ts';
export { LinkProxy, LOSS_PENALTY_MS } from './link-proxy.ts';
