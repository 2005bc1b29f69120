import type { OpCounts } from '../runner/op-counts.ts';

export interface StatusInfo {
  phase: string;
  elapsedS: number;
  /** the phase's limit, when it has one */
  limitS?: number;
  counts: OpCounts;
  faults: readonly string[];
}

/** "main 12.3/30 s | 512 ops: 480 ok 20 fail 12 info | faults: partition halves" (pure) */
export function statusText(s: StatusInfo): string {
  const c = s.counts;
  const faults = s.faults.length ? s.faults.join(', ') : 'none';
  const time = s.limitS === undefined ? `${s.elapsedS.toFixed(1)} s` : `${s.elapsedS.toFixed(1)}/${s.limitS} s`;
  return `${s.phase} ${time} | ${c.invoked} ops: ${c.ok} ok ${c.fail} fail ${c.info} info | faults: ${faults}`;
}

/**
 * On a TTY one line rewritten in place a few times a second; otherwise a plain line every few
 * seconds (CI logs). Log lines printed meanwhile clear the status line first.
 */
export class StatusLine {
  private timer: NodeJS.Timeout | null = null;
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream, private readonly render: () => string, private readonly plainEveryMs = 5000) {}

  get isTty(): boolean {
    return Boolean(this.out.isTTY);
  }

  start(): void {
    if (this.timer) return;
    const every = this.isTty ? 250 : this.plainEveryMs;
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  /** draw once (the timer calls this) */
  tick(): void {
    const text = this.render();
    if (this.isTty) {
      const width = this.out.columns || 120; // 0 when the terminal does not say
      this.out.write('\r\x1b[2K' + text.slice(0, width - 1));
      this.shown = true;
    } else this.out.write(text + '\n');
  }

  /** print a line above the status line */
  print(line: string): void {
    this.clear();
    this.out.write(line + '\n');
  }

  private clear(): void {
    if (this.shown) { this.out.write('\r\x1b[2K'); this.shown = false; }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }
}
