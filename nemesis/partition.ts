/**
 * Network partitions: start installs a grudge of the chosen shape (or the next shape of the
 * cycle), stop heals the network. Through Runtime.partition/heal, so local proxies and docker
 * iptables behave alike: traffic from a dropped node silently disappears (no RST, no error), as
 * with iptables DROP, so the node sees timeouts, not refusals.
 */
import type { Runtime } from '../api/runtime.ts';
import type { PartitionShape } from '../api/fault.ts';
import type { Fault, PlanInput } from '../api/fault.ts';
import { allSteps } from './fault.ts';
import { CYCLE_SHAPES, type PartitionPlan, partitionPlan, describePartition } from './shapes.ts';

export class PartitionFault implements Fault<PartitionPlan> {
  readonly kind = 'partition' as const;
  private active: PartitionPlan | null = null;
  private cycleAt = 0;

  readonly wantsPrimaries: boolean;

  constructor(private readonly shape: PartitionShape | 'cycle') {
    this.wantsPrimaries = shape === 'primary-minority';
  }

  /** "cycle" walks halves → one → majorities-ring → bridge → halves …, in starts order */
  plan({ nodes, rng, primaries }: PlanInput): PartitionPlan {
    let shape: PartitionShape;
    if (this.shape === 'cycle') {
      shape = CYCLE_SHAPES[this.cycleAt % CYCLE_SHAPES.length]!;
      this.cycleAt++;
    } else shape = this.shape;
    return partitionPlan(shape, nodes, rng, primaries);
  }

  async apply(runtime: Runtime, plan: PartitionPlan): Promise<void> {
    this.active = plan;
    await runtime.partition(plan.grudge);
  }

  stopValue(): unknown {
    return this.active;
  }

  async undo(runtime: Runtime): Promise<void> {
    // forget first: a heal that throws has still been attempted, and healDefensive retries it
    this.active = null;
    await runtime.heal();
  }

  async healDefensive(runtime: Runtime): Promise<string[]> {
    this.active = null;
    return allSteps([['heal network', () => runtime.heal()]]);
  }

  label(): string | null {
    return this.active ? 'partition ' + describePartition(this.active) : null;
  }

  held(): string[] {
    return [];
  }
}
