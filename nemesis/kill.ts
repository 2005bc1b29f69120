/**
 * Crashes: SIGKILL one node or a random minority; stop restarts them on the same data dir. A
 * killed node refuses connections (nothing listens); whatever it acknowledged but had not made
 * durable is at stake, which is what the restart is meant to expose.
 */
import type { Runtime } from '../harness/runtime/types.ts';
import { type Fault, type PlanInput, allSteps, pickTargets } from './fault.ts';

export interface KillPlan { nodes: string[] }

export class KillFault implements Fault<KillPlan> {
  readonly kind = 'kill' as const;
  /** nodes killed and not yet restarted successfully */
  private down = new Set<string>();

  plan({ nodes, rng, held }: PlanInput): KillPlan {
    return { nodes: pickTargets(nodes, rng, held) };
  }

  async apply(runtime: Runtime, plan: KillPlan): Promise<void> {
    for (const n of plan.nodes) this.down.add(n);
    const errors = await allSteps(plan.nodes.map((n) => [`kill ${n}`, () => runtime.kill(n)]));
    if (errors.length) throw new Error(errors.join('; '));
  }

  stopValue(): unknown {
    return this.down.size ? { nodes: [...this.down].sort() } : null;
  }

  async undo(runtime: Runtime): Promise<void> {
    const nodes = [...this.down].sort();
    // a node stays tracked until its restart succeeds, so healAll tries again
    const errors = await allSteps(nodes.map((n) => [`restart ${n}`, async () => { await runtime.restart(n); this.down.delete(n); }]));
    if (errors.length) throw new Error(errors.join('; '));
  }

  /** restart whatever is still down; restarting a running node is not safe, so only tracked ones */
  async healDefensive(runtime: Runtime): Promise<string[]> {
    const nodes = [...this.down].sort();
    return allSteps(nodes.map((n) => [`restart ${n}`, async () => { await runtime.restart(n); this.down.delete(n); }]));
  }

  label(): string | null {
    return this.down.size ? 'kill ' + [...this.down].sort().join(',') : null;
  }

  held(): string[] {
    return [...this.down];
  }
}
