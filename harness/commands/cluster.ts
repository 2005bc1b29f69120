import { join, resolve } from 'node:path';
import { UsageError } from '../cli/usage-error.ts';
import { chooseRuntime, importRuntimeModule, removeDockerLeftovers } from '../../runtimes/select.ts';
import { nodeIds } from '../runner/run-test.ts';
import { runTimestamp } from '../runs/run-dir.ts';
import { showPath } from '../terminal/show-path.ts';

/**
 * `cluster up | status | down`: the orchestrator. Nodes started by `up` outlive the command (for
 * manual work: curl, a debugger, another harness); `status` shows them; `down` removes them.
 * The detached-cluster mechanics live with the local runtime (harness/local/index.ts); its state
 * file is <store>/cluster/state.json and the nodes' logs and data go to <store>/cluster/<time>/.
 */
export async function clusterCommand(positionals: string[], flags: Record<string, string | true>, out: NodeJS.WritableStream): Promise<number> {
  const action = positionals[0];
  if (!action || !['up', 'status', 'down'].includes(action) || positionals.length > 1) {
    throw new UsageError('cluster needs one action: up, status or down (e.g. npm run jepsen -- cluster up --nodes 3)');
  }
  const choice = typeof flags.runtime === 'string' ? flags.runtime : 'auto';
  if (!['auto', 'local', 'docker'].includes(choice)) throw new UsageError(`cluster: --runtime ${choice} is not supported for detached clusters; use auto, local or docker`);
  const nodes = typeof flags.nodes === 'string' ? Number(flags.nodes) : 5;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 50) throw new UsageError(`--nodes: expected an integer from 1 to 50, got "${flags.nodes}"`);
  const store = resolve(typeof flags.store === 'string' ? flags.store : './store');
  const stateFile = join(store, 'cluster', 'state.json');
  const nodeArgs = typeof flags['node-args'] === 'string' ? flags['node-args'].split(/\s+/).filter(Boolean) : [];

  const local = await importRuntimeModule('local');
  if (!local || typeof local.startDetachedCluster !== 'function') throw new UsageError('cluster: the local runtime is not built yet (harness/local/index.ts)');
  const { kind, probe } = await chooseRuntime(choice as 'auto' | 'local' | 'docker', 'cluster ');
  const docker = kind === 'docker' ? await importRuntimeModule('docker') : null;
  // status and down look at every runtime that could hold a cluster; up starts on the chosen one
  const kinds: { name: string; mod: Record<string, any> }[] = [];
  if (choice !== 'docker') kinds.push({ name: 'local', mod: local });
  if (docker && typeof docker.startDetachedCluster === 'function') kinds.push({ name: 'docker', mod: docker });

  if (action === 'up') {
    const target = kinds.find((k) => k.name === kind);
    if (!target) throw new UsageError(`cluster --runtime ${kind}: the ${kind} runtime cannot start detached clusters`);
    out.write(`runtime: ${target.name}${choice === 'auto' ? (target.name === 'docker' ? ` (a container engine answered; --runtime local for processes)` : ` (docker not usable: ${probe!.why})`) : ''}\n`);
    for (const k of kinds) {
      const st = await k.mod.clusterStatus(stateFile);
      if (st.up) throw new UsageError(`cluster up: a ${k.name} cluster is already up; see it with "cluster status", remove it with "cluster down"`);
    }
    const runDir = join(store, 'cluster', runTimestamp(new Date()));
    let started: { endpoints: { id: string; http: string }[] };
    try {
      started = await target.mod.startDetachedCluster({ nodes: nodeIds(nodes), runDir, nodeArgs, runId: `cluster-${Date.now()}`, stateFile });
    } catch (e) {
      const msg = (e as Error).message;
      if (/already up/.test(msg)) throw new UsageError(`cluster up: a cluster is already up; see it with "cluster status", remove it with "cluster down"`);
      throw e;
    }
    for (const ep of started.endpoints) out.write(`${ep.id.padEnd(4)} ${ep.http}\n`);
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
      out.write(`${k.name} cluster${st.runDir ? ` (${showPath(st.runDir)})` : ''}:\n`);
      for (const n of st.nodes as { id: string; http: string; pid: number | null; running: boolean; answering: boolean }[]) {
        out.write(`${n.id.padEnd(4)} ${n.http}  ${n.answering ? 'answering' : n.running ? 'running, not answering' : 'DOWN'}${n.pid ? `  pid ${n.pid}` : ''}\n`);
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
    const n = await removeDockerLeftovers();
    out.write(`removed ${n} docker leftover(s)\n`);
  }
  return 0;
}
