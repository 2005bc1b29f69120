import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../cli/usage-error.ts';
import type { Runtime } from './types.ts';

export type RuntimeChoice = 'auto' | 'local' | 'docker' | 'sim';

const LOCAL = new URL('../local/index.ts', import.meta.url);
const DOCKER = new URL('../../docker/index.ts', import.meta.url);

/** imports a runtime module by path only when it is chosen, so a missing one is a clear error */
async function importIfBuilt(url: URL): Promise<Record<string, any> | null> {
  const path = fileURLToPath(url);
  if (!existsSync(path)) return null;
  return (await import(pathToFileURL(path).href)) as Record<string, any>;
}

export interface DockerProbe { ok: boolean; why: string }

/** is a container engine there? (false with the reason when the docker runtime is not built) */
export async function probeDocker(): Promise<DockerProbe> {
  const mod = await importIfBuilt(DOCKER);
  if (!mod || typeof mod.dockerAvailable !== 'function') return { ok: false, why: 'the docker runtime is not built yet (docker/index.ts)' };
  try { return await mod.dockerAvailable(); } catch (e) { return { ok: false, why: `docker check failed: ${(e as Error).message}` }; }
}

export async function createLocalRuntime(seed?: number): Promise<Runtime> {
  const mod = await importIfBuilt(LOCAL);
  if (!mod || typeof mod.LocalRuntime !== 'function') throw new UsageError('--runtime local: the local runtime is not built yet (harness/local/index.ts); nothing can run until it lands');
  return new mod.LocalRuntime(seed === undefined ? {} : { seed }) as Runtime;
}

export async function createDockerRuntime(): Promise<Runtime> {
  const mod = await importIfBuilt(DOCKER);
  if (!mod || typeof mod.createDockerRuntime !== 'function') throw new UsageError('--runtime docker: the docker runtime is not built yet (docker/index.ts); use --runtime local');
  return (await mod.createDockerRuntime()) as Runtime;
}

/** for `cluster down --all`: remove every container/network any run left behind (0 when no docker) */
export async function removeDockerLeftovers(): Promise<number> {
  const mod = await importIfBuilt(DOCKER);
  if (!mod || typeof mod.removeAllLeftovers !== 'function') return 0;
  const probe = await probeDocker();
  if (!probe.ok) return 0;
  return (await mod.removeAllLeftovers()) as number;
}

/**
 * --runtime → a Runtime, and a line saying which and why (printed and logged).
 * auto: docker when an engine answers, else local processes.
 */
export async function selectRuntime(choice: RuntimeChoice, seed?: number): Promise<{ runtime: Runtime; why: string }> {
  if (choice === 'sim') throw new UsageError('--runtime sim: the simulator is not built yet; use --runtime local or docker');
  if (choice === 'local') return { runtime: await createLocalRuntime(seed), why: 'local processes (--runtime local)' };
  if (choice === 'docker') {
    const probe = await probeDocker();
    if (!probe.ok) throw new UsageError(`--runtime docker: no container engine answered (${probe.why}); start docker or use --runtime local`);
    return { runtime: await createDockerRuntime(), why: `docker (--runtime docker; ${probe.why})` };
  }
  const probe = await probeDocker();
  if (probe.ok) return { runtime: await createDockerRuntime(), why: `docker, because a container engine answered (${probe.why}); --runtime local to use processes` };
  return { runtime: await createLocalRuntime(seed), why: `local processes, because docker is not usable: ${probe.why}` };
}
