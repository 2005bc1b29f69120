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
  /**
   * per entry, STRIDE ints side by side (one allocation, and a lookup reads one cache line):
   * key, state id, chain (next entry in the bucket), pool offset, lead, length
   */
  private entries: Int32Array;
  private buckets: Int32Array;
  private mask: number;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.pool = new Uint32Array(initialCapacity * 4);
    this.entries = new Int32Array(initialCapacity * STRIDE);
    this.buckets = new Int32Array(initialCapacity * 2).fill(-1);
    this.mask = initialCapacity * 2 - 1;
  }

  /** bytes held by the table (what the memory cap measures) */
  get bytes(): number {
    return this.pool.byteLength + this.entries.byteLength + this.buckets.byteLength;
  }

  /**
   * Adds the configuration (bits[lead..hi], stateId) unless already present; `key` must hash both
   * the set and the state (the search keeps it incrementally). Returns false when already there.
   */
  add(key: number, bits: Uint32Array, lead: number, hi: number, stateId: number): boolean {
    const len = hi >= lead ? hi - lead + 1 : 0;
    const pool = this.pool;
    const entries = this.entries;
    const hashed = mix(key);
    for (let e = this.buckets[hashed & this.mask]!; e !== -1; e = entries[e * STRIDE + CHAIN]!) {
      const at = e * STRIDE;
      if (entries[at + KEY] !== key || entries[at + STATE] !== stateId || entries[at + LEAD] !== lead || entries[at + LEN] !== len) continue;
      let same = true;
      const base = entries[at + OFFSET]!;
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
    const at = e * STRIDE;
    const ents = this.entries;
    if (len === 1) this.pool[this.poolUsed] = bits[lead]!;
    else if (len > 0) this.pool.set(bits.subarray(lead, lead + len), this.poolUsed);
    ents[at + OFFSET] = this.poolUsed;
    this.poolUsed += len;
    ents[at + KEY] = key;
    ents[at + STATE] = stateId;
    ents[at + LEAD] = lead;
    ents[at + LEN] = len;
    const b = hashed & this.mask;
    ents[at + CHAIN] = this.buckets[b]!;
    this.buckets[b] = e;
    return true;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const entries = new Int32Array(cap * STRIDE);
    entries.set(this.entries);
    this.entries = entries;
    this.buckets = new Int32Array(cap * 2).fill(-1);
    this.mask = cap * 2 - 1;
    this.capacity = cap;
    for (let e = 0; e < this.count; e++) {
      const at = e * STRIDE;
      const b = mix(entries[at + KEY]!) & this.mask;
      entries[at + CHAIN] = this.buckets[b]!;
      this.buckets[b] = e;
    }
  }
}

const STRIDE = 6;
const KEY = 0, STATE = 1, CHAIN = 2, OFFSET = 3, LEAD = 4, LEN = 5;

/** murmur3's finalizer: spreads a 32-bit key over the bucket bits */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
