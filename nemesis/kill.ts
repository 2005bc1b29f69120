/**
 * Crashes: SIGKILL some nodes, chosen by --kill-targets (default mixed: one node or a random
 * minority); stop restarts them on the same data dir. A killed node refuses connections (nothing
 * listens); whatever it acknowledged but had not made durable is at stake, which is what the
 * restart is meant to expose. Killing one node rarely shows a durability bug, because its recent
 * writes already live on its peers: `all` (or `majority`) kills nodes together, as Jepsen does, so
 * a write no node has made durable is gone. The nodes of one start are killed (and restarted) side
 * by side, so they die within milliseconds of each other.
 */
import type { Runtime } from '../api/runtime.ts';
import type { KillTargets } from '../api/fault.ts';
import type { PlanInput } from '../api/fault.ts';
import { pickTargetsBy, sideBySide } from './fault.ts';
import { DownNodesFault } from './down-nodes.ts';

export interface KillPlan { nodes: string[] }

export class KillFault extends DownNodesFault<KillPlan> {
  readonly kind = 'kill' as const;
  protected readonly labelPrefix = 'kill';
  readonly wantsPrimaries: boolean;

  constructor(private readonly targets: KillTargets = 'mixed') {
    super();
    this.wantsPrimaries = targets === 'primaries';
  }

  plan({ nodes, rng, held, primaries }: PlanInput): KillPlan {
    return { nodes: pickTargetsBy(this.targets, nodes, rng, held, primaries) };
  }

  async apply(runtime: Runtime, plan: KillPlan): Promise<void> {
    for (const n of plan.nodes) this.down.add(n);
    const errors = await sideBySide(plan.nodes.map((n) => [`kill ${n}`, () => runtime.kill(n)]));
    if (errors.length) throw new Error(errors.join('; '));
  }
}
