/**
 * Log lines a peer can trigger at will (rejected ops, refused connections) are rate limited: one
 * line per reason per second, plus a count of what was not logged, so a flood cannot become a
 * flood of log lines.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly sink: (text: string) => void, private readonly everyMs = 1000) {}

  line(reason: string, text: string): void {
    const now = performance.now();
    const e = this.last.get(reason);
    if (e && now - e.at < this.everyMs) { e.suppressed++; return; }
    const extra = e && e.suppressed > 0 ? ` (and ${e.suppressed} more "${reason}" not logged)` : '';
    this.last.set(reason, { at: now, suppressed: 0 });
    this.sink(text + extra);
  }
}
