/**
 * One node process inside its network namespace: `ip netns exec <ns> <program> <args>` (ip execs
 * the program, so the pid is the node's), spawned detached so the node leads its own process group:
 * pause, kill and stop signal the whole group, children of the node included. Nothing else
 * supervises it: the run's watcher kills every process in the run's namespaces when the harness
 * dies (`ip netns pids` finds them wherever they forked to).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { processAlive, waitUntil } from '../local/processes.ts';

export interface NodeProcSpec {
  ns: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logPath: string;
}

export class NodeProc {
  readonly pid: number;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exit: Promise<void>;
  private readonly child: ChildProcess;

  constructor(spec: NodeProcSpec) {
    const fd = openSync(spec.logPath, 'a');
    try {
      this.child = spawn('ip', ['netns', 'exec', spec.ns, spec.command, ...spec.args], {
        cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => { this.exited = { code, signal }; resolve(); });
      this.child.once('error', (e) => { this.exited ??= { code: 127, signal: null }; void e; resolve(); });
    });
    this.child.unref();
    if (this.child.pid === undefined) throw new Error(`netns runtime: could not spawn ip netns exec ${spec.ns} ${spec.command}`);
    this.pid = this.child.pid;
  }

  get running(): boolean {
    return this.exited === null;
  }

  /** signal the node's process group; false when it is gone */
  signal(sig: NodeJS.Signals): boolean {
    try { process.kill(-this.pid, sig); return true; } catch { return false; }
  }

  /** SIGKILL the group; resolves once the node is reaped (bounded) */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await waitUntil(() => !this.running && !processAlive(this.pid), 5000);
  }

  /** SIGCONT + SIGTERM, up to graceMs, then SIGKILL */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    if (!(await waitUntil(() => !this.running, graceMs))) await this.kill();
  }
}
