import type { Model } from './model.ts';

/**
 * Interns model states as small integers, so the memo table stores and compares an int per
 * configuration instead of calling the model's equal/hash on every lookup.
 * Primitive states use a JS Map (value identity); other states the model's hash and equal, in a
 * chained hash table over typed arrays (no allocation per state beyond the state itself).
 */
export class StateTable<S> {
  readonly states: S[] = [];
  private readonly byValue = new Map<S, number>();
  // the hashed table, for models with hash/equal only (primitive states use byValue)
  private hashes: Int32Array;
  private chain: Int32Array;
  private buckets: Int32Array;

  constructor(private readonly model: Model<S, any, any>) {
    const hashed = !!(model.hash && model.equal);
    this.hashes = new Int32Array(hashed ? 256 : 0);
    this.chain = new Int32Array(hashed ? 256 : 0);
    this.buckets = new Int32Array(hashed ? 512 : 0).fill(-1);
  }

  idOf(state: S): number {
    const { hash, equal } = this.model;
    if (!hash || !equal) {
      let id = this.byValue.get(state);
      if (id === undefined) {
        id = this.states.length;
        this.states.push(state);
        this.byValue.set(state, id);
      }
      return id;
    }
    const h = hash(state) | 0;
    const mask = this.buckets.length - 1;
    for (let id = this.buckets[spread(h) & mask]!; id !== -1; id = this.chain[id]!) {
      if (this.hashes[id] === h && equal(this.states[id]!, state)) return id;
    }
    const id = this.states.length;
    this.states.push(state);
    if (id === this.hashes.length) this.grow();
    this.hashes[id] = h;
    const b = spread(h) & (this.buckets.length - 1);
    this.chain[id] = this.buckets[b]!;
    this.buckets[b] = id;
    return id;
  }

  private grow(): void {
    const cap = this.hashes.length * 2;
    const hashes = new Int32Array(cap); hashes.set(this.hashes); this.hashes = hashes;
    this.chain = new Int32Array(cap);
    this.buckets = new Int32Array(cap * 2).fill(-1);
    const mask = cap * 2 - 1;
    for (let id = 0; id < this.states.length - 1; id++) {
      const b = spread(this.hashes[id]!) & mask;
      this.chain[id] = this.buckets[b]!;
      this.buckets[b] = id;
    }
  }
}

function spread(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}
