import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../cli/usage-error.ts';
import { removeDockerLeftovers } from '../runtime/select.ts';

/**
 * `cluster up | status | down`: the orchestrator. Nodes started by `up` outlive the command (for
 * manual work: curl, a debugger, another harness); `status` shows them; `down` removes them.
 * The detached-cluster mechanics live with the local runtime (harness/local/index.ts).
 */
export async function clusterCommand(positionals: string[], flags: Record<string, string | true>, out: NodeJS.WritableStream): Promise<number> {
  const action = positionals[0];
  if (!action || !['up', 'status', 'down'].includes(action) || positionals.length > 1) {
    throw new UsageError('cluster needs one action: up, status or down (e.g. npm run jepsen -- cluster up --nodes 3)');
  }
  if (typeof flags.runtime === 'string' && flags.runtime !== 'local' && flags.runtime !== 'auto') {
    throw new UsageError(`cluster: --runtime ${flags.runtime} is not supported for detached clusters yet; use --runtime local`);
  }
  const nodes = typeof flags.nodes === 'string' ? Number(flags.nodes) : 5;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 50) throw new UsageError(`--nodes: expected an integer from 1 to 50, got "${flags.nodes}"`);
  const store = typeof flags.store === 'string' ? flags.store : './store';
  const nodeArgs = typeof flags['node-args'] === 'string' ? flags['node-args'].split(/\s+/).filter(Boolean) : [];

  const path = fileURLToPath(new URL('../local/index.ts', import.meta.url));
  const local = existsSync(path) ? ((await import(pathToFileURL(path).href)) as Record<string, any>) : null;
  if (!local || typeof local.startDetachedCluster !== 'function') throw new UsageError('cluster: the local runtime is not built yet (harness/local/index.ts)');

  if (action === 'up') {
    const cluster = await local.startDetachedCluster({ nodes, store, nodeArgs });
    out.write(formatCluster(cluster) + '\n');
    out.write('nodes keep running; remove them with: npm run jepsen -- cluster down\n');
    return 0;
  }
  if (action === 'status') {
    const cluster = await local.clusterStatus({ store });
    if (!cluster) { out.write('no cluster is up (start one with: npm run jepsen -- cluster up)\n'); return 0; }
    out.write(formatCluster(cluster) + '\n');
    return 0;
  }
  const stopped = await local.stopDetachedCluster({ store });
  out.write(stopped ? 'cluster removed\n' : 'no cluster was up\n');
  if (flags.all === true) {
    const n = await removeDockerLeftovers();
    out.write(`removed ${n} docker leftover(s)\n`);
  }
  return 0;
}

/** one line per node: id, address, alive or not, whatever the local runtime reports */
function formatCluster(cluster: any): string {
  const nodes: any[] = Array.isArray(cluster?.nodes) ? cluster.nodes : [];
  if (nodes.length === 0) return JSON.stringify(cluster, null, 2);
  return nodes.map((n) => `${String(n.id).padEnd(4)} ${n.http ?? ''}${n.alive === undefined ? '' : n.alive ? '  up' : '  DOWN'}${n.pid ? `  pid ${n.pid}` : ''}`).join('\n');
}
