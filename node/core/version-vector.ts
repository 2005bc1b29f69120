/**
 * Version vectors (origin → highest contiguous sequence number) and the per-origin tracker of which
 * sequence numbers a replica holds. The tracker keeps the contiguous prefix plus the few numbers
 * received beyond a gap, so anti-entropy can name exactly what is missing.
 */
export type VersionVector = Record<string, number>;

/**
 * What a replica reports about one origin in a VV message: it holds every seq 1..max except the
 * listed holes. Holes are few in practice (a dropped push), so this names exactly what is missing
 * at a few bytes per op; `holes` is absent when there were too many to list.
 */
export interface OriginHoldings {
  max: number;
  holes?: number[];
}

/** per origin, the prefix 1..n that holdings say is held (unknown when the holes were too many to list: 0) */
export function heldPrefixes(holdings: Record<string, OriginHoldings>): VersionVector {
  const out: VersionVector = {};
  for (const [o, h] of Object.entries(holdings)) out[o] = h.holes === undefined ? 0 : h.holes.length > 0 ? lowest(h.holes) - 1 : h.max;
  return out;
}

/** the smallest of a peer's list, by a loop: spreading a long list into Math.min throws RangeError */
function lowest(xs: readonly number[]): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}

/** Tracks, per origin, which sequence numbers are present. */
export class SeqTracker {
  private prefix = new Map<string, number>();
  private above = new Map<string, Set<number>>();
  /** highest seq held per origin (kept, not computed: it is asked for every received op) */
  private max = new Map<string, number>();

  /** record seq for origin; returns false if it was already present */
  add(origin: string, seq: number): boolean {
    if (seq > (this.max.get(origin) ?? 0)) this.max.set(origin, seq);
    let p = this.prefix.get(origin) ?? 0;
    if (seq <= p) return false;
    let set = this.above.get(origin);
    if (seq === p + 1) {
      p = seq;
      if (set) {
        while (set.delete(p + 1)) p++;
        if (set.size === 0) this.above.delete(origin);
      }
      this.prefix.set(origin, p);
      return true;
    }
    if (!set) { set = new Set(); this.above.set(origin, set); }
    if (set.has(seq)) return false;
    set.add(seq);
    return true;
  }

  /** every seq 1..upTo of origin is held (a snapshot's frontier stands for them) */
  holdPrefix(origin: string, upTo: number): void {
    let p = this.prefix.get(origin) ?? 0;
    if (upTo <= p) return;
    p = upTo;
    const set = this.above.get(origin);
    if (set) {
      for (const s of set) if (s <= p) set.delete(s);
      while (set.delete(p + 1)) p++;
      if (set.size === 0) this.above.delete(origin);
    }
    this.prefix.set(origin, p);
    if (p > (this.max.get(origin) ?? 0)) this.max.set(origin, p);
  }

  has(origin: string, seq: number): boolean {
    return seq <= (this.prefix.get(origin) ?? 0) || (this.above.get(origin)?.has(seq) ?? false);
  }

  knows(origin: string): boolean { return this.max.has(origin); }

  originCount(): number { return this.max.size; }

  prefixOf(origin: string): number { return this.prefix.get(origin) ?? 0; }

  /** the highest seq held for origin (prefix or beyond) */
  maxOf(origin: string): number { return this.max.get(origin) ?? 0; }

  /**
   * The seqs held for origin above `after`, ascending. Walks what is held, not the range up to the
   * max: one op with a huge seq (a peer's bug) must not turn this into a loop of 2^53 steps.
   */
  heldAfter(origin: string, after: number): number[] {
    const out: number[] = [];
    const p = this.prefix.get(origin) ?? 0;
    for (let s = after + 1; s <= p; s++) out.push(s);
    const beyond: number[] = [];
    for (const s of this.above.get(origin) ?? []) if (s > after) beyond.push(s);
    beyond.sort((a, b) => a - b);
    for (const s of beyond) out.push(s);
    return out;
  }

  origins(): string[] {
    return [...this.max.keys()];
  }

  holdings(maxListed = 4096): Record<string, OriginHoldings> {
    const out: Record<string, OriginHoldings> = {};
    for (const o of this.origins()) {
      const prefix = this.prefixOf(o), max = this.maxOf(o);
      const set = this.above.get(o);
      const holeCount = max - prefix - (set?.size ?? 0);
      const h: OriginHoldings = { max };
      if (holeCount <= maxListed) {
        const holes: number[] = [];
        for (let s = prefix + 1; s <= max && holes.length < holeCount; s++) if (!set?.has(s)) holes.push(s);
        h.holes = holes;
      }
      out[o] = h;
    }
    return out;
  }
}
