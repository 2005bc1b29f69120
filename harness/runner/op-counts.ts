import type { Op } from '../../api/history.ts';

/** Live counts of client ops for the status line (final reads and nemesis ops are not counted). */
export class OpCounts {
  invoked = 0;
  ok = 0;
  fail = 0;
  info = 0;

  add(op: Op): void {
    if (op.process === 'nemesis' || op.f === 'final-read') return;
    if (op.type === 'invoke') this.invoked++;
    else this[op.type]++;
  }
}
