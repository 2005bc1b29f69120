/**
 * Process pauses: SIGSTOP the nodes --pause-targets names (default one node or a random minority), SIGCONT them on stop. A paused node
 * keeps its sockets open but answers nothing: peers and clients see connections that accept
 * bytes and then hang until their own timeouts, unlike a crash, which refuses connections.
 */
import type { Runtime } from '../api/runtime.ts';
import type { Fault, KillTargets, PlanInput } from '../api/fault.ts';
import { allSteps, pickTargetsBy } from './fault.ts';

export interface PausePlan { nodes: string[] }

export class PauseFault implements Fault<PausePlan> {
  readonly kind = 'pause' as const;
  private paused = new Set<string>();
  readonly wantsPrimaries: boolean;

  /** --pause-targets: default mixed (one node or a random minority) */
  constructor(private readonly targets: KillTargets = 'mixed') {
    this.wantsPrimaries = targets === 'primaries';
  }

  plan({ nodes, rng, held, primaries }: PlanInput): PausePlan {
    return { nodes: pickTargetsBy(this.targets, nodes, rng, held, primaries) };
  }

  async apply(runtime: Runtime, plan: PausePlan): Promise<void> {
    for (const n of plan.nodes) this.paused.add(n);
    const errors = await allSteps(plan.nodes.map((n) => [`pause ${n}`, () => runtime.pause(n)]));
    if (errors.length) throw new Error(errors.join('; '));
  }

  stopValue(): unknown {
    return this.paused.size ? { nodes: [...this.paused].sort() } : null;
  }

  async undo(runtime: Runtime): Promise<void> {
    const nodes = [...this.paused].sort();
    const errors = await allSteps(nodes.map((n) => [`resume ${n}`, async () => { await runtime.resume(n); this.paused.delete(n); }]));
    if (errors.length) throw new Error(errors.join('; '));
  }

  /**
   * Resume every node except those known killed (SIGCONT of a running process is harmless; of a
   * killed one the runtime may refuse). Nodes this fault paused are always resumed.
   */
  async healDefensive(runtime: Runtime, nodes: readonly string[], killed: ReadonlySet<string> = new Set()): Promise<string[]> {
    const targets = nodes.filter((n) => this.paused.has(n) || !killed.has(n));
    const errors = await allSteps(targets.map((n) => [`resume ${n}`, () => runtime.resume(n)]));
    this.paused.clear();
    return errors;
  }

  label(): string | null {
    return this.paused.size ? 'pause ' + [...this.paused].sort().join(',') : null;
  }

  held(): string[] {
    return [...this.paused];
  }
}
