/**
 * Violation lists are capped so results.json stays small on 100k-op histories: the first
 * `limit` items are kept and the total is counted.
 */
export const DEFAULT_LIMIT = 20;

export class CappedList<T> {
  readonly items: T[] = [];
  count = 0;
  constructor(readonly limit = DEFAULT_LIMIT) {}
  push(item: T): void {
    this.count++;
    if (this.items.length < this.limit) this.items.push(item);
  }
  get full(): boolean { return this.items.length >= this.limit; }
  /** counts n more without listing them (when the list is full and details would cost time) */
  countMore(n: number): void { this.count += n; }
}

/** Round seconds for display (ms precision). */
export const roundS = (s: number): number => Math.round(s * 1000) / 1000;
