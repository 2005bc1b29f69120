/**
 * The bookkeeping of faults that take nodes down and bring them back (kill, corrupt): which nodes
 * are down, the stop that restarts them, and what a stop, the status line and the scheduler see.
 * A node stays down until its restart succeeds, so a later heal tries it again.
 */
import type { Fault, PlanInput } from '../api/fault.ts';
import type { Runtime } from '../api/runtime.ts';
import { restartDown } from './fault.ts';

export abstract class DownNodesFault<P> implements Fault<P> {
  abstract readonly kind: Fault['kind'];
  abstract plan(input: PlanInput): P;
  abstract apply(runtime: Runtime, plan: P, signal: AbortSignal): Promise<void>;
  /** the status line's word for a node this fault holds down */
  protected abstract readonly labelPrefix: string;
  /** nodes taken down and not yet restarted successfully */
  protected readonly down = new Set<string>();

  /** a node is down only until its restart succeeds */
  stopValue(): unknown {
    return this.down.size ? { nodes: [...this.down].sort() } : null;
  }

  async undo(runtime: Runtime): Promise<void> {
    const errors = await this.restartDown(runtime);
    if (errors.length) throw new Error(errors.join('; '));
  }

  /** restart whatever is still down; restarting a running node is not safe, so only tracked ones */
  healDefensive(runtime: Runtime): Promise<string[]> {
    return this.restartDown(runtime);
  }

  protected restartDown(runtime: Runtime): Promise<string[]> {
    return restartDown(runtime, this.down);
  }

  label(): string | null {
    return this.down.size ? `${this.labelPrefix} ${[...this.down].sort().join(',')}` : null;
  }

  held(): string[] {
    return [...this.down];
  }
}
