import { UsageError } from '../harness/cli/usage-error.ts';
import type { Runtime } from '../api/runtime.ts';
import type { RunConfig } from '../harness/config/run-config.ts';
import { importIfBuilt } from '../harness/import-if-built.ts';

export type RuntimeChoice = RunConfig['runtime'];

export type RuntimeKind = 'local' | 'docker';

const MODULES: Record<RuntimeKind, URL> = {
  local: new URL('./local/index.ts', import.meta.url),
  docker: new URL('./docker/index.ts', import.meta.url),
};

/** a runtime's module (harness/local/index.ts or docker/index.ts), imported only when needed; null when absent */
export function importRuntimeModule(kind: RuntimeKind): Promise<Record<string, any> | null> {
  return importIfBuilt(MODULES[kind]);
}

export interface DockerProbe { ok: boolean; why: string }

/** is a container engine there? (false with the reason when the docker runtime is not built) */
async function probeDocker(): Promise<DockerProbe> {
  const mod = await importRuntimeModule('docker');
  if (!mod || typeof mod.dockerAvailable !== 'function') return { ok: false, why: 'the docker runtime is not built yet (docker/index.ts)' };
  try { return await mod.dockerAvailable(); } catch (e) { return { ok: false, why: `docker check failed: ${(e as Error).message}` }; }
}

async function createLocalRuntime(seed?: number): Promise<Runtime> {
  const mod = await importRuntimeModule('local');
  if (!mod || typeof mod.LocalRuntime !== 'function') throw new UsageError('--runtime local: the local runtime is not built yet (harness/local/index.ts); nothing can run until it lands');
  return new mod.LocalRuntime(seed === undefined ? {} : { seed }) as Runtime;
}

async function createDockerRuntime(): Promise<Runtime> {
  const mod = await importRuntimeModule('docker');
  if (!mod || typeof mod.createDockerRuntime !== 'function') throw new UsageError('--runtime docker: the docker runtime is not built yet (docker/index.ts); use --runtime local');
  return (await mod.createDockerRuntime()) as Runtime;
}

/** for `cluster down --all`: remove every container/network any run left behind (0 when no docker) */
export async function removeDockerLeftovers(): Promise<number> {
  const mod = await importRuntimeModule('docker');
  if (!mod || typeof mod.removeAllLeftovers !== 'function') return 0;
  const probe = await probeDocker();
  if (!probe.ok) return 0;
  return (await mod.removeAllLeftovers()) as number;
}

/**
 * --runtime auto|local|docker → which runtime, and a line saying which and why (printed and logged).
 * auto: docker when an engine answers, else local processes; docker with no engine is a UsageError
 * (`context` prefixes its message, e.g. "cluster "). `probe` is null for local, which never asks docker.
 * One choice for `run` (selectRuntime) and `cluster`.
 */
export async function chooseRuntime(choice: 'auto' | 'local' | 'docker', context = ''): Promise<{ kind: RuntimeKind; why: string; probe: DockerProbe | null }> {
  if (choice === 'local') return { kind: 'local', why: 'local processes (--runtime local)', probe: null };
  const probe = await probeDocker();
  if (choice === 'docker') {
    if (!probe.ok) throw new UsageError(`${context}--runtime docker: no container engine answered (${probe.why}); start docker or use --runtime local`);
    return { kind: 'docker', why: `docker (--runtime docker; ${probe.why})`, probe };
  }
  if (probe.ok) return { kind: 'docker', why: `docker, because a container engine answered (${probe.why}); --runtime local to use processes`, probe };
  return { kind: 'local', why: `local processes, because docker is not usable: ${probe.why}`, probe };
}

/** --runtime → a Runtime, and the line saying which and why */
export async function selectRuntime(choice: RuntimeChoice, seed?: number): Promise<{ runtime: Runtime; why: string }> {
  if (choice === 'sim') throw new UsageError('--runtime sim: the simulator is not built yet; use --runtime local or docker');
  const { kind, why } = await chooseRuntime(choice);
  return { runtime: kind === 'docker' ? await createDockerRuntime() : await createLocalRuntime(seed), why };
}
