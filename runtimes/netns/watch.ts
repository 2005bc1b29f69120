/** Starting a run's watcher (watcher.ts) and letting it go once the run is torn down. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WATCHER = fileURLToPath(new URL('./watcher.ts', import.meta.url));

export class Watcher {
  private constructor(private readonly child: ChildProcess) {}

  get pid(): number | undefined { return this.child.pid; }

  /** spawn it and wait until it runs (its handlers are in place) */
  static async start(statePath: string, logPath: string, tsxLoader: string): Promise<Watcher> {
    const fd = openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['--import', tsxLoader, WATCHER, statePath], { detached: true, stdio: ['pipe', 'pipe', fd] });
    } finally {
      closeSync(fd);
    }
    // nothing of it may keep the harness alive
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    child.stdin!.on('error', () => {});
    const ok = await new Promise<boolean>((resolve) => {
      child.stdout!.once('data', () => resolve(true));
      child.once('exit', () => resolve(false));
      child.once('error', () => resolve(false));
    });
    if (!ok) throw new Error(`netns runtime: the run's watcher did not start (see ${logPath})`);
    return new Watcher(child);
  }

  /** the run is gone: the watcher finds no state file and exits */
  release(): void {
    this.child.stdin?.end();
    this.child.stdout?.destroy();
  }
}
