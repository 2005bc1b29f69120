/**
 * The docker runtime's public face. The controller imports this dynamically for
 * `--runtime docker|auto` and `cluster up/down --all`.
 */
import { dockerAvailable } from './engine.ts';
import { DockerRuntime, type DockerRuntimeOptions } from './runtime.ts';
import type { Runtime } from '../../api/runtime.ts';

export { dockerAvailable } from './engine.ts';
export { removeAllLeftovers } from './cleanup.ts';
export { DockerRuntime, type DockerRuntimeOptions } from './runtime.ts';
export { ensureImage, type ImageResult } from './image.ts';

/** A DockerRuntime; fails with one clear line when no engine answers. */
export async function createDockerRuntime(opts: DockerRuntimeOptions = {}): Promise<Runtime> {
  const a = await dockerAvailable();
  if (!a.ok) throw new Error(`${a.why}; start dockerd or set DOCKER_HOST, or use --runtime local`);
  return new DockerRuntime(opts);
}
export {
  startDetachedCluster, clusterStatus, stopDetachedCluster,
  type DetachedClusterOptions, type ClusterStatus, type DetachedNodeStatus,
} from './detached.ts';
export { clockWay, clockProblem, type ClockWay } from './runtime.ts';
export { programCommand, IMAGE_REPO } from './image.ts';
