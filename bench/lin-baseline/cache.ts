/**
 * Lowe's memo table: the set of (linearized ops, state) configurations the search has already
 * entered. A configuration reached twice has the same future, so the second visit is pruned.
 *
 * Stored in flat typed arrays (chained hashing over entry indices, bitsets packed in one pool) so
 * a lookup allocates nothing and the table's size is known exactly, for the memory cap. A bitset
 * is stored as its middle only: the search numbers ops in call order, so a linearized set is
 * nearly a prefix (all ops up to some point) plus a few more; the leading all-ones words and the
 * trailing zero words are left out (`lead` = first word that is not all ones, `hi` = last nonzero
 * word). Memory per entry then follows the concurrency window, not the history's length.
 */
export class ConfigCache {
  count = 0;
  private capacity: number;
  private pool: Uint32Array;
  private poolUsed = 0;
  private keys: Int32Array;
  private stateIds: Int32Array;
  private chain: Int32Array;
  private offsets: Int32Array;
  private leads: Int32Array;
  private lens: Int32Array;
  private buckets: Int32Array;
  private mask: number;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.pool = new Uint32Array(initialCapacity * 4);
    this.keys = new Int32Array(initialCapacity);
    this.stateIds = new Int32Array(initialCapacity);
    this.chain = new Int32Array(initialCapacity);
    this.offsets = new Int32Array(initialCapacity);
    this.leads = new Int32Array(initialCapacity);
    this.lens = new Int32Array(initialCapacity);
    this.buckets = new Int32Array(initialCapacity * 2).fill(-1);
    this.mask = initialCapacity * 2 - 1;
  }

  /** bytes held by the table (what the memory cap measures) */
  get bytes(): number {
    return this.pool.byteLength + this.keys.byteLength * 6 + this.buckets.byteLength;
  }

  /**
   * Adds the configuration (bits[lead..hi], stateId) unless already present; `key` must hash both
   * the set and the state (the search keeps it incrementally). Returns false when already there.
   */
  add(key: number, bits: Uint32Array, lead: number, hi: number, stateId: number): boolean {
    const len = hi >= lead ? hi - lead + 1 : 0;
    const pool = this.pool;
    const hashed = mix(key);
    for (let e = this.buckets[hashed & this.mask]!; e !== -1; e = this.chain[e]!) {
      if (this.keys[e] !== key || this.stateIds[e] !== stateId || this.leads[e] !== lead || this.lens[e] !== len) continue;
      let same = true;
      const base = this.offsets[e]!;
      for (let w = 0; w < len; w++) {
        if (pool[base + w] !== bits[lead + w]) { same = false; break; }
      }
      if (same) return false;
    }
    // grow before picking the bucket: growing changes the mask
    if (this.count === this.capacity) this.grow();
    if (this.poolUsed + len > this.pool.length) {
      const bigger = new Uint32Array(Math.max(this.pool.length * 2, this.poolUsed + len));
      bigger.set(this.pool.subarray(0, this.poolUsed));
      this.pool = bigger;
    }
    const e = this.count++;
    this.pool.set(bits.subarray(lead, lead + len), this.poolUsed);
    this.offsets[e] = this.poolUsed;
    this.poolUsed += len;
    this.keys[e] = key;
    this.stateIds[e] = stateId;
    this.leads[e] = lead;
    this.lens[e] = len;
    const b = hashed & this.mask;
    this.chain[e] = this.buckets[b]!;
    this.buckets[b] = e;
    return true;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const widen = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    this.keys = widen(this.keys);
    this.stateIds = widen(this.stateIds);
    this.offsets = widen(this.offsets);
    this.leads = widen(this.leads);
    this.lens = widen(this.lens);
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
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
