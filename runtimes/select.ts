/**
 * --runtime auto|local|docker|netns|sim → a Runtime, and one line saying which and why. Every runtime is
 * imported statically: each is part of the tool, and a missing one is a build error, not a message.
 * A new runtime (netns next) adds its kind to RuntimeKind, its create function to CREATE, and, if
 * `auto` should ever prefer it, a probe in chooseRuntime.
 */
import { UsageError } from '../harness/cli/usage-error.ts';
import type { Runtime } from '../api/runtime.ts';
import type { RunConfig } from '../harness/config/run-config.ts';
import { LocalRuntime } from './local/index.ts';
import { createDockerRuntime, dockerAvailable, removeAllLeftovers } from './docker/index.ts';
import { createNetnsRuntime, netnsAvailable, removeAllLeftovers as removeAllNetnsLeftovers } from './netns/index.ts';
import { SimRuntime } from './sim/index.ts';

export type RuntimeChoice = RunConfig['runtime'];

export type RuntimeKind = 'local' | 'docker' | 'netns';

export interface DockerProbe { ok: boolean; why: string }

/** is a container engine there? */
async function probeDocker(): Promise<DockerProbe> {
  try { return await dockerAvailable(); } catch (e) { return { ok: false, why: `docker check failed: ${(e as Error).message}` }; }
}

const CREATE: Record<RuntimeKind, (seed?: number) => Promise<Runtime>> = {
  local: async (seed) => new LocalRuntime(seed === undefined ? {} : { seed }),
  docker: () => createDockerRuntime(),
  netns: () => createNetnsRuntime(),
};

/** for `cluster down --all`: remove what any run left behind: containers and networks (when an engine answers), namespaces, bridges and rules */
export async function removeAllRunLeftovers(): Promise<{ docker: number; netns: number }> {
  const probe = await probeDocker();
  const docker = probe.ok ? await removeAllLeftovers() : 0;
  const netns = netnsAvailable().ok ? removeAllNetnsLeftovers() : 0;
  return { docker, netns };
}

/**
 * --runtime auto|local|docker → which runtime, and a line saying which and why (printed and logged).
 * auto: docker when an engine answers, else local processes; docker with no engine is a UsageError
 * (`context` prefixes its message, e.g. "cluster "). `probe` is null for local, which never asks docker.
 * One choice for `run` (selectRuntime) and `cluster`. `netns`: may auto pick the netns runtime when
 * there is no engine (root, ip, iptables, namespaces creatable); both `run` and `cluster` pass true.
 */
export async function chooseRuntime(choice: 'auto' | 'local' | 'docker' | 'netns', context = '', netns = false): Promise<{ kind: RuntimeKind; why: string; probe: DockerProbe | null }> {
  if (choice === 'local') return { kind: 'local', why: 'local processes (--runtime local)', probe: null };
  if (choice === 'netns') {
    const n = netnsAvailable();
    if (!n.ok) throw new UsageError(`${context}--runtime netns: ${n.why}; use --runtime local or docker`);
    return { kind: 'netns', why: `network namespaces (--runtime netns; ${n.why})`, probe: null };
  }
  const probe = await probeDocker();
  if (choice === 'docker') {
    if (!probe.ok) throw new UsageError(`${context}--runtime docker: no container engine answered (${probe.why}); start docker or use --runtime local`);
    return { kind: 'docker', why: `docker (--runtime docker; ${probe.why})`, probe };
  }
  if (probe.ok) return { kind: 'docker', why: `docker, because a container engine answered (${probe.why}); --runtime local to use processes`, probe };
  const n = netns ? netnsAvailable() : null;
  if (n?.ok) return { kind: 'netns', why: `network namespaces, because docker is not usable (${probe.why}) and ${n.why}; --runtime local to use processes`, probe };
  return { kind: 'local', why: `local processes, because docker is not usable: ${probe.why}${n ? `, and netns is not: ${n.why}` : ''}`, probe };
}

/** --runtime → a Runtime, and the line saying which and why */
export async function selectRuntime(choice: RuntimeChoice, seed?: number): Promise<{ runtime: Runtime; why: string }> {
  // the simulator: the run drives it on simulated time (harness/sim/), with the system's pure core
  if (choice === 'sim') return { runtime: new SimRuntime({ seed: seed ?? 0 }), why: 'the simulator (--runtime sim): the system\'s pure core on simulated time, network, clocks and disks' };
  const { kind, why } = await chooseRuntime(choice, '', true);
  return { runtime: await CREATE[kind](seed), why };
}
