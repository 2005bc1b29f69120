/**
 * Lowe's memo table: the set of (linearized ops, state) configurations the search has already
 * entered. A configuration reached twice has the same future, so the second visit is pruned.
 *
 * Stored in flat typed arrays (chained hashing over entry indices, bitsets packed in one pool)
 * so a lookup allocates nothing and the table's size is known exactly, for the memory cap.
 */
export class ConfigCache {
  count = 0;
  private capacity: number;
  private pool: Uint32Array;
  private keys: Int32Array;
  private stateIds: Int32Array;
  private chain: Int32Array;
  private buckets: Int32Array;
  private mask: number;

  constructor(readonly words: number, initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.pool = new Uint32Array(initialCapacity * words);
    this.keys = new Int32Array(initialCapacity);
    this.stateIds = new Int32Array(initialCapacity);
    this.chain = new Int32Array(initialCapacity);
    this.buckets = new Int32Array(initialCapacity * 2).fill(-1);
    this.mask = initialCapacity * 2 - 1;
  }

  /** bytes held by the table (what the memory cap measures) */
  get bytes(): number {
    return this.pool.byteLength + this.keys.byteLength * 3 + this.buckets.byteLength;
  }

  /**
   * Adds the configuration unless already present. `key` must be a hash of both the bitset and
   * the state id (the search keeps it incrementally). Returns false when it was already there.
   */
  add(key: number, bits: Uint32Array, stateId: number): boolean {
    const words = this.words;
    const pool = this.pool;
    for (let e = this.buckets[mix(key) & this.mask]!; e !== -1; e = this.chain[e]!) {
      if (this.keys[e] !== key || this.stateIds[e] !== stateId) continue;
      let same = true;
      const base = e * words;
      for (let w = 0; w < words; w++) {
        if (pool[base + w] !== bits[w]) { same = false; break; }
      }
      if (same) return false;
    }
    if (this.count === this.capacity) this.grow();
    const e = this.count++;
    this.pool.set(bits, e * words);
    this.keys[e] = key;
    this.stateIds[e] = stateId;
    const b = mix(key) & this.mask;
    this.chain[e] = this.buckets[b]!;
    this.buckets[b] = e;
    return true;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const pool = new Uint32Array(cap * this.words); pool.set(this.pool); this.pool = pool;
    const keys = new Int32Array(cap); keys.set(this.keys); this.keys = keys;
    const ids = new Int32Array(cap); ids.set(this.stateIds); this.stateIds = ids;
    this.chain = new Int32Array(cap);
    this.buckets = new Int32Array(cap * 2).fill(-1);
    this.mask = cap * 2 - 1;
    this.capacity = cap;
    for (let e = 0; e < this.count; e++) {
      const b = mix(this.keys[e]!) & this.mask;
      this.chain[e] = this.buckets[b]!;
      this.buckets[b] = e;
    }
  }
}

/** murmur3's finalizer: spreads a 32-bit key over the bucket bits */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
