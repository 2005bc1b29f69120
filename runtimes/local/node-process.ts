/**
 * One node process, run under the supervisor (supervisor.ts) so it dies with the harness.
 * The supervisor gets its own process group (detached) so a terminal's Ctrl-C reaches the harness
 * only, and the harness decides the order of teardown (SIGCONT, SIGTERM, grace, SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processAlive, signal, waitUntil } from './processes.ts';

const SUPERVISOR = fileURLToPath(new URL('./supervisor.ts', import.meta.url));

export interface NodeProcessSpec {
  id: string;
  /** the node's program and arguments, e.g. [execPath, '--import', tsx, 'node/main.ts', ...] */
  command: string;
  args: string[];
  /** environment of the supervisor (and the node) */
  env: NodeJS.ProcessEnv;
  /** set for the node only, e.g. LD_PRELOAD of libfaketime, which the supervisor does not need */
  nodeEnv?: Record<string, string>;
  cwd: string;
  /** stdout+stderr of the node (and the supervisor's few lines) are appended here */
  logPath: string;
  /** how to run the TypeScript supervisor: node flags, e.g. ['--import', tsxUrl] */
  nodeFlags: string[];
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class NodeProcess {
  private sup: ChildProcess | null = null;
  /** pid of the node itself (not the supervisor) */
  pid: number | null = null;
  supervisorPid: number | null = null;
  paused = false;
  exitInfo: ExitInfo | null = null;

  constructor(readonly spec: NodeProcessSpec) {}

  get running(): boolean {
    return this.sup !== null && this.exitInfo === null;
  }

  /** spawn; resolves once the node process exists (not once it serves) */
  async start(): Promise<void> {
    if (this.running) throw new Error(`node ${this.spec.id} is already running`);
    const { spec } = this;
    const logFd = openSync(spec.logPath, 'a');
    let sup: ChildProcess;
    try {
      const setenv = Object.entries(spec.nodeEnv ?? {}).flatMap(([k, v]) => ['--setenv', `${k}=${v}`]);
      sup = spawn(process.execPath, [...spec.nodeFlags, SUPERVISOR, ...setenv, '--', spec.command, ...spec.args], {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['pipe', 'pipe', logFd],
      });
    } finally {
      closeSync(logFd);
    }
    this.sup = sup;
    this.pid = null;
    this.paused = false;
    this.exitInfo = null;
    this.supervisorPid = sup.pid ?? null;
    const exited = new Promise<ExitInfo>((resolve) => {
      sup.once('exit', (code, sig) => {
        this.exitInfo = { code, signal: sig };
        resolve(this.exitInfo);
      });
      sup.once('error', () => {
        this.exitInfo ??= { code: 127, signal: null };
        resolve(this.exitInfo);
      });
    });
    // Nothing here may keep the harness alive on its own: the caller's work does that, and the
    // process-wide cleanup (cleanup.ts) kills what is left when the harness exits.
    sup.unref();
    (sup.stdin as unknown as { unref?: () => void }).unref?.();
    (sup.stdout as unknown as { unref?: () => void }).unref?.();
    sup.stdin!.on('error', () => {});

    const pid = await new Promise<number | null>((resolve) => {
      let buf = '';
      const onData = (b: Buffer) => {
        buf += b.toString();
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        sup.stdout!.off('data', onData);
        try { resolve((JSON.parse(buf.slice(0, nl)) as { pid: number }).pid); } catch { resolve(null); }
      };
      sup.stdout!.on('data', onData);
      void exited.then(() => resolve(null));
    });
    if (pid === null) throw new Error(`node ${spec.id}: supervisor exited before starting the node (see ${spec.logPath})`);
    this.pid = pid;
  }

  pause(): void {
    if (!this.running || this.pid === null) throw new Error(`cannot pause ${this.spec.id}: it is not running`);
    signal(this.pid, 'SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (this.pid !== null) signal(this.pid, 'SIGCONT');
    this.paused = false;
  }

  /** SIGKILL the node (the supervisor reaps it and exits); resolves when both are gone */
  async kill(): Promise<void> {
    if (!this.running) return;
    if (this.pid !== null) signal(this.pid, 'SIGKILL');
    else if (this.supervisorPid !== null) signal(this.supervisorPid, 'SIGKILL');
    await this.settle(5000);
  }

  /** graceful stop: SIGCONT, SIGTERM, up to graceMs, then SIGKILL */
  async stop(graceMs: number): Promise<void> {
    if (this.running) {
      if (this.pid !== null) {
        signal(this.pid, 'SIGCONT');
        signal(this.pid, 'SIGTERM');
      } else if (this.supervisorPid !== null) {
        signal(this.supervisorPid, 'SIGTERM');
      }
      const done = await waitUntil(() => !this.running, graceMs);
      if (!done && this.pid !== null) signal(this.pid, 'SIGKILL');
    }
    await this.settle(5000);
  }

  /** synchronous last resort for process 'exit': kill node and supervisor, no waiting */
  killNow(): void {
    if (this.pid !== null && this.exitInfo === null) signal(this.pid, 'SIGKILL');
    if (this.supervisorPid !== null && this.exitInfo === null) signal(this.supervisorPid, 'SIGKILL');
  }

  /** wait until both processes are gone; SIGKILL stragglers */
  private async settle(timeoutMs: number): Promise<void> {
    const gone = () => !this.running && (this.pid === null || !processAlive(this.pid));
    if (!(await waitUntil(gone, timeoutMs))) {
      this.killNow();
      await waitUntil(gone, 2000);
    }
    this.sup?.stdin?.destroy();
    this.sup?.stdout?.destroy();
    this.paused = false;
  }
}
