import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LaunchSpec, NodeHost, Program } from '../../api/runtime.ts';
import type { SystemRun } from '../../api/system.ts';

export const MAEP_PROGRAM: Program = { kind: 'node-script', name: 'maep', entry: fileURLToPath(new URL('../../node/main.ts', import.meta.url)) };

// maep's own bank defaults (node flags --accounts --initial-balance): only differing values are passed
const MAEP_ACCOUNTS = 8;
const MAEP_INITIAL = 10;

/** node flags a workload's params need (the bank's accounts and initial balance) */
export function workloadArgs(run: Pick<SystemRun, 'workload'>): string[] {
  const w = run.workload;
  if (w.name !== 'bank') return [];
  const accounts = w.params.accounts as number;
  const initial = w.params['initial-balance'] as number;
  return accounts !== MAEP_ACCOUNTS || initial !== MAEP_INITIAL ? ['--accounts', String(accounts), '--initial-balance', String(initial)] : [];
}

const KEY_FILE = 'cluster.key';

/**
 * The run's pre-shared cluster key, made once per run folder: every node of the run gets the same
 * key (peer links authenticate with it, node/PROTOCOL.md), and no other run's node can join.
 */
export function clusterKey(runDir: string): string {
  const path = join(runDir, 'maep-cluster.key');
  try {
    writeFileSync(path, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return readFileSync(path, 'utf8');
}

/** `maep --id … --listen … --http … --peers id@host:port,… --data … --cluster-key-file …` for one node */
export function launchMaep(host: NodeHost, run: Pick<SystemRun, 'workload' | 'nodeArgs' | 'runDir'>): LaunchSpec {
  const peers = host.peers.map((p) => `${p.id}@${p.host}:${p.ports.peer}`).join(',');
  return {
    program: MAEP_PROGRAM,
    files: { [KEY_FILE]: clusterKey(run.runDir) },
    args: [
      '--id', host.id,
      '--listen', `${host.bindHost}:${host.ports.peer}`,
      '--http', `${host.bindHost}:${host.ports.client}`,
      ...(peers ? ['--peers', peers] : []),
      '--data', host.dataDir,
      '--cluster-key-file', `${host.dataDir}/${KEY_FILE}`,
      ...(host.clockOffsetFile ? ['--clock-offset-file', host.clockOffsetFile] : []),
      ...workloadArgs(run),
      ...run.nodeArgs,
    ],
  };
}
