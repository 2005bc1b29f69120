/**
 * A Merkle tree over operation ids with a fixed fan-out of 16: a node at level L covers the ids
 * whose first L hex digits equal its index, leaves are at level `depth`. A node's digest is the XOR
 * of the 128-bit ids below it plus their count, so an insert updates one node per level (O(depth))
 * and the tree is never rebuilt. XOR is not collision-proof against an adversary, but op ids are
 * sha256 prefixes produced by trusted peers; the count guards the common "one extra op" case.
 */
export const FANOUT = 16;
/** bytes per digest on the wire: 64 bits folded from the 128-bit xor and the count (see digestWords) */
export const DIGEST_BYTES = 8;

export class MerkleTree {
  /** per level: 4 uint32 words of xor + 1 word of count per node */
  private readonly levels: Uint32Array[] = [];
  private readonly leaves = new Map<number, string[]>();

  constructor(readonly depth = 4) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 6) throw new Error(`merkle depth must be 1..6, got ${depth}`);
    for (let l = 0; l <= depth; l++) this.levels.push(new Uint32Array(5 * FANOUT ** l));
  }

  leafOf(id: string): number { return parseInt(id.slice(0, this.depth), 16); }

  insert(id: string): void {
    const w0 = hexWord(id, 0), w1 = hexWord(id, 8), w2 = hexWord(id, 16), w3 = hexWord(id, 24);
    // the leaf index is the first `depth` hex digits, i.e. the top 4·depth bits of word 0
    const leaf = w0 >>> (32 - 4 * this.depth);
    for (let l = this.depth, idx = leaf; l >= 0; l--, idx = Math.floor(idx / FANOUT)) {
      const a = this.levels[l]!, o = idx * 5;
      a[o] ^= w0; a[o + 1] ^= w1; a[o + 2] ^= w2; a[o + 3] ^= w3; a[o + 4] += 1;
    }
    let list = this.leaves.get(leaf);
    if (!list) { list = []; this.leaves.set(leaf, list); }
    list.push(id);
  }

  count(level = 0, idx = 0): number { return this.levels[level]![idx * 5 + 4]!; }

  /**
   * The wire digest: 64 bits, (w0 ^ w2 ^ count·φ, w1 ^ w3). Folding keeps it a xor of (folded)
   * random ids, so two different sets collide with probability ~2^-64 — plenty against accidents
   * — at under half the bytes of the full 160 bits (the Merkle walk sends thousands of digests).
   */
  private digestWords(level: number, idx: number): [number, number] {
    const a = this.levels[level]!, o = idx * 5;
    return [(a[o]! ^ a[o + 2]! ^ Math.imul(a[o + 4]!, 0x9e3779b1)) >>> 0, (a[o + 1]! ^ a[o + 3]!) >>> 0];
  }

  digest(level: number, idx: number): Uint8Array {
    const out = new Uint8Array(DIGEST_BYTES);
    const dv = new DataView(out.buffer);
    const [x, y] = this.digestWords(level, idx);
    dv.setUint32(0, x); dv.setUint32(4, y);
    return out;
  }

  sameDigest(level: number, idx: number, other: Uint8Array): boolean {
    if (other.length !== DIGEST_BYTES) return false;
    const dv = new DataView(other.buffer, other.byteOffset, other.byteLength);
    const [x, y] = this.digestWords(level, idx);
    return dv.getUint32(0) === x && dv.getUint32(4) === y;
  }

  /** the full root: 128-bit xor of all ids + count, hex (what /admin/status reports) */
  rootHex(): string {
    const a = this.levels[0]!;
    return Array.from(a.subarray(0, 5), (w) => w.toString(16).padStart(8, '0')).join('');
  }

  nodesAt(level: number): number { return FANOUT ** level; }

  children(idx: number): number[] {
    const out: number[] = [];
    for (let c = 0; c < FANOUT; c++) out.push(idx * FANOUT + c);
    return out;
  }

  leafIds(leaf: number): readonly string[] { return this.leaves.get(leaf) ?? []; }

  /**
   * Compaction: drop the ids `keep` refuses from the leaf lists but leave every digest as it is, so
   * a compacted op still counts in the tree (two nodes holding the same ops compare equal however
   * much of them each compacted) while its id no longer takes memory.
   */
  retainIds(keep: (id: string) => boolean): void {
    for (const [leaf, list] of this.leaves) {
      const kept = list.filter(keep);
      if (kept.length === 0) this.leaves.delete(leaf); else if (kept.length !== list.length) this.leaves.set(leaf, kept);
    }
  }

  /** a tree whose digests count the compacted ids of `compacted` (CompactedDigests.packed()) and that lists no id */
  static fromCompacted(depth: number, compacted: readonly (readonly [string, Uint32Array])[]): MerkleTree {
    const t = new MerkleTree(depth);
    for (const [, packed] of compacted) {
      for (let at = 0; at + 6 <= packed.length; at += 6) {
        const leaf = packed[at]!;
        if (leaf >= t.nodesAt(depth)) throw new Error(`snapshot Merkle leaf ${leaf} is outside a tree of depth ${depth}`);
        for (let l = depth, idx = leaf; l >= 0; l--, idx = Math.floor(idx / FANOUT)) {
          const a = t.levels[l]!, o = idx * 5;
          for (let k = 0; k < 4; k++) a[o + k] ^= packed[at + 1 + k]!;
          a[o + 4] += packed[at + 5]!;
        }
      }
    }
    return t;
  }
}

/**
 * What a snapshot keeps of the Merkle leaves: per origin and leaf, the xor and count of the
 * compacted ids. Per origin because compaction is per-origin prefixes: two snapshots compacted at
 * different frontiers join by taking, for each origin, the side that compacted more of it.
 */
export class CompactedDigests {
  /** per origin: leaf → slot, and 6 words per slot: [leaf, xor ×4, count] */
  private readonly byOrigin = new Map<string, { slots: Map<number, number>; words: Uint32Array }>();

  constructor(readonly depth: number) {}

  add(origin: string, id: string): void {
    let t = this.byOrigin.get(origin);
    if (!t) { t = { slots: new Map(), words: new Uint32Array(6 * 16) }; this.byOrigin.set(origin, t); }
    const leaf = hexWord(id, 0) >>> (32 - 4 * this.depth);
    let slot = t.slots.get(leaf);
    if (slot === undefined) {
      slot = t.slots.size;
      if ((slot + 1) * 6 > t.words.length) { const w = new Uint32Array(t.words.length * 2); w.set(t.words); t.words = w; }
      t.slots.set(leaf, slot);
      t.words[slot * 6] = leaf;
    }
    const o = slot * 6;
    for (let k = 0; k < 4; k++) t.words[o + 1 + k] = (t.words[o + 1 + k]! ^ hexWord(id, 8 * k)) >>> 0;
    t.words[o + 5]! += 1;
  }

  /** per origin, 6 words per leaf: [leaf, xor ×4, count] */
  packed(): [string, Uint32Array][] {
    return [...this.byOrigin].map(([o, t]) => [o, t.words.slice(0, t.slots.size * 6)]);
  }

  static fromPacked(depth: number, packed: readonly (readonly [string, Uint32Array])[]): CompactedDigests {
    const d = new CompactedDigests(depth);
    for (const [o, words] of packed) d.set(o, words);
    return d;
  }

  /** take the other side's digests of every origin `theirs` says it compacted further */
  absorb(packed: readonly (readonly [string, Uint32Array])[], theirs: (origin: string) => boolean): void {
    for (const [o, words] of packed) if (theirs(o)) this.set(o, words);
  }

  private set(origin: string, words: Uint32Array): void {
    const slots = new Map<number, number>();
    for (let at = 0; at + 6 <= words.length; at += 6) slots.set(words[at]!, at / 6);
    this.byOrigin.set(origin, { slots, words: words.slice() });
  }
}

/** 8 hex digits at `at` as an unsigned 32-bit word, without allocating substrings */
function hexWord(s: string, at: number): number {
  let w = 0;
  for (let i = at; i < at + 8; i++) {
    const c = s.charCodeAt(i);
    w = (w << 4) | (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  return w >>> 0;
}

/**
 * The leaves whose contents differ between two trees, found the way the protocol does it: descend
 * only into nodes whose digests differ. Used by tests and the simulator; the wire protocol spreads
 * the same walk over SYNC messages, one level per round trip.
 */
export function differingLeaves(a: MerkleTree, b: MerkleTree): number[] {
  if (a.depth !== b.depth) throw new Error('trees of different depth');
  let frontier = [0];
  for (let level = 0; level <= a.depth; level++) {
    const differing = frontier.filter((i) => !a.sameDigest(level, i, b.digest(level, i)));
    if (level === a.depth) return differing;
    frontier = differing.flatMap((i) => a.children(i));
  }
  return [];
}
