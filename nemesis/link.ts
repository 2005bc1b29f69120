/**
 * Slow and lossy links: delay (with jitter) and/or loss on a random subset of directed links,
 * through Runtime.setLinkFault; stop clears every link fault. To the system under test this is
 * a degraded network, not a cut one: replication and anti-entropy still get through, late or
 * after retries, and a lossy TCP link stalls in retransmits.
 */
import type { LinkFault as RuntimeLinkFault, Runtime } from '../api/runtime.ts';
import type { Fault, PlanInput } from '../api/fault.ts';
import { allSteps } from './fault.ts';

export interface LinkPlan {
  mode: 'delay' | 'loss' | 'delay+loss';
  /** directed links [from, to] */
  links: [string, string][];
  fault: RuntimeLinkFault;
}

export class LinkFault implements Fault<LinkPlan> {
  readonly kind = 'link' as const;
  private active: LinkPlan | null = null;

  plan({ nodes, rng }: PlanInput): LinkPlan {
    const all: [string, string][] = [];
    for (const a of nodes) for (const b of nodes) if (a !== b) all.push([a, b]);
    // each directed link with probability 0.4, at least one
    let links = all.filter(() => rng.next() < 0.4);
    if (links.length === 0 && all.length > 0) links = [rng.pick(all)];
    const r = rng.next();
    const mode: LinkPlan['mode'] = r < 0.4 ? 'delay' : r < 0.7 ? 'loss' : 'delay+loss';
    const fault: RuntimeLinkFault = {};
    if (mode !== 'loss') {
      fault.delayMs = rng.int(50, 300);
      fault.jitterMs = rng.int(0, Math.floor(fault.delayMs / 2));
    }
    if (mode !== 'delay') fault.loss = rng.int(10, 30) / 100;
    return { mode, links, fault };
  }

  async apply(runtime: Runtime, plan: LinkPlan): Promise<void> {
    this.active = plan;
    const errors = await allSteps(plan.links.map(([a, b]) => [`link ${a}→${b}`, () => runtime.setLinkFault(a, b, plan.fault)]));
    if (errors.length) throw new Error(errors.join('; '));
  }

  stopValue(): unknown {
    return this.active ? { links: this.active.links } : null;
  }

  async undo(runtime: Runtime): Promise<void> {
    this.active = null;
    await runtime.clearLinkFaults();
  }

  async healDefensive(runtime: Runtime): Promise<string[]> {
    this.active = null;
    return allSteps([['clear link faults', () => runtime.clearLinkFaults()]]);
  }

  label(): string | null {
    if (!this.active) return null;
    const f = this.active.fault;
    const parts = [f.delayMs !== undefined ? `${f.delayMs}±${f.jitterMs ?? 0}ms` : '', f.loss !== undefined ? `${Math.round(f.loss * 100)}% loss` : ''].filter(Boolean);
    return `link ${parts.join(' ')} on ${this.active.links.length} link${this.active.links.length === 1 ? '' : 's'}`;
  }

  held(): string[] {
    return [];
  }
}
