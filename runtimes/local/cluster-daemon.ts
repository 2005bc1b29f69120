/**
 * The process that owns a detached cluster (`cluster up`): it rebuilds the ClusterSpec from the
 * config the CLI wrote (system, nodes, run dir, node args), runs a LocalRuntime (nodes and link
 * proxies) or, with kind "netns", a NetnsRuntime (namespaces, bridge, nodes), and lives until
 * SIGTERM/SIGINT, then tears the cluster down and removes the state file.
 * Started by startDetachedCluster (detached-cluster.ts), never by hand.
 * Usage: cluster-daemon.ts --state <state.json> --config <config.json>
 * If this daemon dies, its nodes' supervisors (local) or the run's watcher (netns) see the pipe
 * close and remove the nodes.
 */
import { readFileSync, rmSync } from 'node:fs';
import { LocalRuntime, type LocalRuntimeOptions } from './local-runtime.ts';
import { NetnsRuntime, type NetnsRuntimeOptions } from '../netns/runtime.ts';
import { writeState, type DaemonConfig, type DetachedState } from './detached-state.ts';
import { detachedSpec } from './detached-spec.ts';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (!v) { console.error(`cluster-daemon: missing --${name}`); process.exit(254); }
  return v;
}

const stateFile = arg('state');
const config = JSON.parse(readFileSync(arg('config'), 'utf8')) as DaemonConfig;
const log = (msg: string) => console.log(`${new Date().toISOString()} cluster-daemon ${process.pid}: ${msg}`);

const kind = config.kind ?? 'local';
const rt = kind === 'netns'
  ? new NetnsRuntime({ ...(config.runtime as NetnsRuntimeOptions), log })
  : new LocalRuntime(config.runtime as LocalRuntimeOptions);
let stopping = false;
const settingUp = (async () => {
  const { system, spec, run } = await detachedSpec(config.cluster);
  await system.prepare?.(run);
  const endpoints = await rt.setup(spec);
  if (system.clusterReady) await system.clusterReady(endpoints, run, AbortSignal.timeout(60_000));
  return endpoints;
})();
async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${why}: tearing down`);
  await settingUp.catch(() => {}); // never tear down under a setup still in progress
  await rt.teardown();
  rmSync(stateFile, { force: true });
  log('cluster down');
  process.exit(0);
}
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void stop(sig));

const keepAlive = setInterval(() => {}, 60_000);
try {
  const endpoints = await settingUp;
  if (stopping) await new Promise(() => {}); // stop() finishes the job and exits
  const state: DetachedState = {
    status: 'up',
    daemonPid: process.pid,
    kind,
    system: config.cluster.system,
    startedAt: new Date().toISOString(),
    runDir: config.cluster.runDir,
    endpoints,
    nodes: rt.describe(),
    proxies: rt instanceof LocalRuntime ? rt.proxyPorts() : [],
    mechanisms: rt.info.mechanisms,
  };
  writeState(stateFile, state);
  log(`cluster up: ${endpoints.map((e) => `${e.id}=${e.host} ${JSON.stringify(e.ports)}`).join(' ')}`);
} catch (err) {
  log(`setup failed: ${(err as Error).message}`);
  await rt.teardown();
  writeState(stateFile, { status: 'failed', daemonPid: process.pid, error: (err as Error).message });
  clearInterval(keepAlive);
  process.exit(1);
}
