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
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < e.length; i++) offsets[e.src[i]! + 1]!++;
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, n);
  const targets = new Int32Array(e.length);
  const kinds = new Uint8Array(e.length);
  for (let i = 0; i < e.length; i++) {
    const at = fill[e.src[i]!]!++;
    targets[at] = e.dst[i]!;
    kinds[at] = e.kind[i]!;
  }
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
 * an explicit stack of (vertex, next edge) frames.
 */
export function stronglyConnected(g: Graph): Components {
  const { n, offsets, targets } = g;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  const callV = new Int32Array(n);
  const callE = new Int32Array(n);
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
