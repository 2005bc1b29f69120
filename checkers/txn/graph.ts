/**
 * The dependency graph in compact form: edges collected into typed arrays, then laid out as CSR
 * (offsets + targets) so a million txns and ten million edges stay cheap. Each edge has one kind
 * (WW, WR, RW, PROCESS, REALTIME bits); two txns linked for two reasons get two edges.
 */
export class EdgeBuilder {
  src: Int32Array;
  dst: Int32Array;
  kind: Uint8Array;
  length = 0;

  /** `expected`: a guess at the edge count; one right-sized allocation instead of a dozen doublings
   * (each big typed array counts as external memory, and V8 answers its growth with full GCs) */
  constructor(expected = 1024) {
    const n = Math.max(1024, Math.ceil(expected));
    this.src = new Int32Array(n); this.dst = new Int32Array(n); this.kind = new Uint8Array(n);
  }

  add(a: number, b: number, kind: number): void {
    if (a === b || a < 0 || b < 0) return;
    if (this.length === this.src.length) this.grow();
    const i = this.length++;
    this.src[i] = a; this.dst[i] = b; this.kind[i] = kind;
  }

  private grow(): void {
    const n = this.src.length * 2;
    const s = new Int32Array(n); s.set(this.src); this.src = s;
    const d = new Int32Array(n); d.set(this.dst); this.dst = d;
    const k = new Uint8Array(n); k.set(this.kind); this.kind = k;
  }
}

export interface Graph {
  n: number;
  /** out-edges of v are targets[offsets[v] .. offsets[v+1]) */
  offsets: Int32Array;
  targets: Int32Array;
  kinds: Uint8Array;
}

export function buildGraph(n: number, e: EdgeBuilder): Graph {
  // counting sort by source, stable (each txn's edges keep the order they were added in); the
  // offsets double as fill pointers and are shifted back after, so no second array of n
  const offsets = new Int32Array(n + 1);
  const src = e.src, dst = e.dst, kind = e.kind, m = e.length;
  for (let i = 0; i < m; i++) offsets[src[i]! + 1]!++;
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const targets = new Int32Array(m);
  const kinds = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const at = offsets[src[i]!]!++;
    targets[at] = dst[i]!;
    kinds[at] = kind[i]!;
  }
  // offsets[v] now holds the end of v's edges, the start of v + 1's
  for (let v = n; v > 0; v--) offsets[v] = offsets[v - 1]!;
  offsets[0] = 0;
  return { n, offsets, targets, kinds };
}

/** Strongly connected components of size > 1, and comp[v] (-1 for the rest). */
export interface Components {
  comp: Int32Array;
  /** the members of each non-trivial component */
  sccs: Int32Array[];
}

/**
 * Tarjan's algorithm without recursion (a million-txn history would overflow the call stack):
 * an explicit stack of (vertex, next edge) frames. `scratch`, when it holds at least 6n ints, is
 * used for the working arrays instead of new ones (the checker passes the edge list's source
 * array, dead once the CSR is built: big typed arrays are external memory, and each 64 MB of new
 * external memory makes V8 collect the whole heap, a million-txn history included).
 */
export function stronglyConnected(g: Graph, scratch?: Int32Array): Components {
  const { n, offsets, targets } = g;
  const mem = scratch && scratch.length >= 6 * n ? scratch : new Int32Array(6 * n);
  const index = mem.subarray(0, n).fill(-1);
  const low = mem.subarray(n, 2 * n);
  const onStack = mem.subarray(2 * n, 3 * n).fill(0);
  const stack = mem.subarray(3 * n, 4 * n);
  let sp = 0;
  const callV = mem.subarray(4 * n, 5 * n);
  const callE = mem.subarray(5 * n, 6 * n);
  const comp = new Int32Array(n).fill(-1);
  const sccs: Int32Array[] = [];
  let next = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callV[0] = root; callE[0] = offsets[root]!;
    index[root] = low[root] = next++;
    stack[sp++] = root; onStack[root] = 1;
    while (depth >= 0) {
      const v = callV[depth]!;
      const ei = callE[depth]!;
      if (ei < offsets[v + 1]!) {
        callE[depth] = ei + 1;
        const w = targets[ei]!;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack[sp++] = w; onStack[w] = 1;
          depth++;
          callV[depth] = w; callE[depth] = offsets[w]!;
        } else if (onStack[w] && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      // v is finished
      if (low[v] === index[v]) {
        let size = 0;
        for (let i = sp - 1; ; i--) { size++; if (stack[i] === v) break; }
        if (size === 1) { sp--; onStack[v] = 0; }
        else {
          const members = new Int32Array(size);
          for (let i = 0; i < size; i++) { const w = stack[--sp]!; onStack[w] = 0; members[i] = w; comp[w] = sccs.length; }
          sccs.push(members);
        }
      }
      depth--;
      if (depth >= 0) { const u = callV[depth]!; if (low[v]! < low[u]!) low[u] = low[v]!; }
    }
  }
  return { comp, sccs };
}
