import { join, resolve } from 'node:path';
import type { NodeEndpoint } from '../../api/runtime.ts';
import { UsageError } from '../cli/usage-error.ts';
import { chooseRuntime, removeAllRunLeftovers } from '../../runtimes/select.ts';
import * as local from '../../runtimes/local/index.ts';
import * as docker from '../../runtimes/docker/index.ts';
import * as netns from '../../runtimes/netns/index.ts';
import { loadSystem } from '../system/load-system.ts';
import { nodeIds } from '../runner/run-test.ts';
import { runTimestamp } from '../runs/run-dir.ts';
import { showPath } from '../terminal/show-path.ts';

/** what `cluster` needs of a runtime's detached clusters (the local, docker and netns runtimes all have it) */
interface Detached {
  startDetachedCluster(opts: Omit<local.DetachedClusterOptions, 'kind' | 'runtime'>): Promise<{ endpoints: NodeEndpoint[] }>;
  clusterStatus(stateFile: string): Promise<local.ClusterStatus>;
  stopDetachedCluster(stateFile: string): Promise<{ stopped: boolean }>;
}

/** "n1   127.0.0.1  client=8001 peer=7001" */
function nodeLine(n: { id: string; host: string; ports: Record<string, number> }): string {
  return `${n.id.padEnd(4)} ${n.host}  ${Object.entries(n.ports).map(([name, port]) => `${name}=${port}`).join(' ')}`;
}

/**
 * `cluster up | status | down`: the orchestrator. Nodes started by `up` outlive the command (for
 * manual work: curl, a debugger, another harness); `status` shows them; `down` removes them.
 * Any system runs (--system NAME|PATH, default maep). The detached-cluster mechanics live with each
 * runtime (runtimes/local, runtimes/docker, runtimes/netns); the state file is
 * <store>/cluster/state.json (state.docker.json, state.netns.json) and the nodes' logs and data go
 * to <store>/cluster/<time>/.
 */
export async function clusterCommand(positionals: string[], flags: Record<string, string | true>, out: NodeJS.WritableStream): Promise<number> {
  const action = positionals[0];
  if (!action || !['up', 'status', 'down'].includes(action) || positionals.length > 1) {
    throw new UsageError('cluster needs one action: up, status or down (e.g. npm run jepsen -- cluster up --nodes 3)');
  }
  const choice = typeof flags.runtime === 'string' ? flags.runtime : 'auto';
  if (!['auto', 'local', 'docker', 'netns'].includes(choice)) throw new UsageError(`cluster: --runtime ${choice} is not supported for detached clusters; use auto, local, docker or netns`);
  const nodes = typeof flags.nodes === 'string' ? Number(flags.nodes) : 5;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 50) throw new UsageError(`--nodes: expected an integer from 1 to 50, got "${flags.nodes}"`);
  const store = resolve(typeof flags.store === 'string' ? flags.store : './store');
  const stateFile = join(store, 'cluster', 'state.json');
  const nodeArgs = typeof flags['node-args'] === 'string' ? flags['node-args'].split(/\s+/).filter(Boolean) : [];
  const systemRef = typeof flags.system === 'string' ? flags.system : 'maep';

  const { kind, probe } = await chooseRuntime(choice as 'auto' | 'local' | 'docker' | 'netns', 'cluster ', true);
  // status and down look at every runtime that could hold a cluster; up starts on the chosen one.
  // A netns cluster is files (<store>/cluster/state.netns.json, /run/splitbrain-netns) until it
  // exists, so auto always looks at it; an explicit --runtime looks at that runtime only.
  const kinds: { name: 'local' | 'docker' | 'netns'; mod: Detached }[] = [];
  if (choice === 'auto' || choice === 'local') kinds.push({ name: 'local', mod: local });
  if (kind === 'docker') kinds.push({ name: 'docker', mod: docker });
  if (choice === 'auto' || choice === 'netns') kinds.push({ name: 'netns', mod: netns });

  if (action === 'up') {
    const system = await loadSystem(systemRef); // a bad --system fails here, before anything starts
    const target = kinds.find((k) => k.name === kind)!;
    if (!system.runtimes.includes(kind)) {
      throw new UsageError(`cluster up --system ${systemRef}: ${system.name} cannot run on the ${kind} runtime (it runs on: ${system.runtimes.join(', ')}); pick one with --runtime`);
    }
    const auto = {
      docker: ' (a container engine answered; --runtime local for processes)',
      netns: ` (docker not usable: ${probe?.why}; network namespaces work here; --runtime local for processes)`,
      local: ` (docker not usable: ${probe?.why}; netns not usable: ${netns.netnsAvailable().why})`,
    }[target.name];
    out.write(`runtime: ${target.name}${choice === 'auto' ? auto : ''}\n`);
    for (const k of kinds) {
      const st = await k.mod.clusterStatus(stateFile);
      if (st.up) throw new UsageError(`cluster up: a ${k.name} cluster is already up; see it with "cluster status", remove it with "cluster down"`);
    }
    const runDir = join(store, 'cluster', runTimestamp(new Date()));
    let started: { endpoints: NodeEndpoint[] };
    try {
      started = await target.mod.startDetachedCluster({ system: systemRef, nodes: nodeIds(nodes), runDir, nodeArgs, runId: `cluster-${Date.now()}`, stateFile });
    } catch (e) {
      const msg = (e as Error).message;
      if (/already up/.test(msg)) throw new UsageError(`cluster up: a cluster is already up; see it with "cluster status", remove it with "cluster down"`);
      throw e;
    }
    out.write(`system: ${system.name}\n`);
    for (const ep of started.endpoints) out.write(nodeLine(ep) + '\n');
    out.write(`logs and data: ${showPath(runDir)}\n`);
    out.write('the nodes keep running; remove them with: npm run jepsen -- cluster down\n');
    return 0;
  }
  if (action === 'status') {
    let any = false;
    for (const k of kinds) {
      const st = await k.mod.clusterStatus(stateFile);
      if (!st.up && st.nodes.length === 0) continue;
      any = true;
      out.write(`${k.name} cluster${st.system ? ` of ${st.system}` : ''}${st.runDir ? ` (${showPath(st.runDir)})` : ''}:\n`);
      for (const n of st.nodes) {
        const state = n.answering ? 'answering' : n.running ? `running, not answering${n.detail ? ` (${n.detail})` : ''}` : 'DOWN';
        out.write(`${nodeLine(n)}  ${state}${n.pid ? `  pid ${n.pid}` : ''}\n`);
      }
      if (!st.up) out.write('the cluster is only partly there; remove what is left with: npm run jepsen -- cluster down\n');
    }
    if (!any) out.write('no cluster is up (start one with: npm run jepsen -- cluster up)\n');
    return 0;
  }
  let stopped = false;
  for (const k of kinds) {
    const r = await k.mod.stopDetachedCluster(stateFile);
    if (r.stopped) { stopped = true; out.write(`${k.name} cluster removed\n`); }
  }
  if (!stopped) out.write('no cluster was up\n');
  if (flags.all === true) {
    const n = await removeAllRunLeftovers();
    out.write(`removed ${n.docker} docker leftover(s) and ${n.netns} netns run(s)\n`);
  }
  return 0;
}
