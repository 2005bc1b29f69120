import { appendFileSync } from 'node:fs';

/**
 * The harness's own log: every line goes to harness.log (with the time since start), and to the
 * terminal through `echo` when the line matters to the person watching.
 */
export class HarnessLog {
  private readonly t0 = performance.now();
  private path: string | null = null;

  constructor(private echo: (line: string) => void) {}

  /** where terminal lines go from now on (e.g. above a status line) */
  setPrinter(echo: (line: string) => void): void {
    this.echo = echo;
  }

  /** lines logged before the run folder existed are kept and written once it does */
  private pending: string[] = [];

  attach(path: string): void {
    this.path = path;
    if (this.pending.length) appendFileSync(path, this.pending.join(''));
    this.pending = [];
  }

  /** to harness.log only */
  file(line: string): void {
    const stamped = `${((performance.now() - this.t0) / 1000).toFixed(3).padStart(8)}s ${line}\n`;
    if (this.path) {
      try { appendFileSync(this.path, stamped); } catch { /* the log must never take the run down */ }
    } else this.pending.push(stamped);
  }

  /** to harness.log and the terminal */
  info(line: string): void {
    this.file(line);
    this.echo(line);
  }
}
