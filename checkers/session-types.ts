import type { ProcessId } from '../api/history.ts';

/** The four session guarantees (Terry et al. 1994), checked per client process. */
export type Guarantee = 'read-your-writes' | 'monotonic-reads' | 'monotonic-writes' | 'writes-follow-reads';
export const GUARANTEES: Guarantee[] = ['read-your-writes', 'monotonic-reads', 'monotonic-writes', 'writes-follow-reads'];

export interface SessionViolation {
  guarantee: Guarantee;
  /** the session (process) whose guarantee broke */
  process: ProcessId;
  key: string;
  /** where it showed: a read (its completion index) or a node's final state (index -1) */
  where: 'read' | 'final';
  index: number;
  reader: ProcessId | null;
  node: string | null;
  timeS: number;
  /** what was returned (a register value, or for lists the value that was shown) */
  value: unknown;
  /** what should have been there, and the op of the session that made it required */
  expected: unknown;
  becauseOf: { index: number; f: string };
  explanation: string;
}

/** Collects violations per guarantee, capped, and notes which guarantees had anything to check. */
export class SessionFindings {
  readonly violations = new Map<Guarantee, { items: SessionViolation[]; count: number }>();
  readonly applied = new Set<Guarantee>();
  readonly partial = new Set<Guarantee>();
  constructor(private readonly limit = 20) {
    for (const g of GUARANTEES) this.violations.set(g, { items: [], count: 0 });
  }
  add(v: SessionViolation): void {
    const slot = this.violations.get(v.guarantee)!;
    slot.count++;
    if (slot.items.length < this.limit) slot.items.push(v);
  }
}
