import { WW, WR, RW, PROCESS, REALTIME } from './types.ts';
import type { Graph, Components } from './graph.ts';

/**
 * What a cycle must look like to show one anomaly (Adya; Elle §3):
 * - G0: write cycle, ww edges only;
 * - G1c: circular information flow, ww and wr edges, at least one wr;
 * - G-single: exactly one rw edge, the rest ww/wr (read skew);
 * - G2-item: two or more rw edges, the rest ww/wr (write skew and friends);
 * - "-process": the same with process-order edges too, at least one of them;
 * - "-realtime": the same with process and realtime edges too, at least one realtime edge.
 * A cycle is searched from each candidate `first` edge u -> v: a BFS from v back to u through
 * `allowed` edges, counting rw edges (0, 1, 2+) and whether a `need` edge was used.
 */
export interface CycleSpec {
  name: string;
  allowed: number;
  first: number;
  need: number;
  rwMin: number;
  rwMax: number;
}

const DATA = WW | WR | RW;
function variants(suffix: string, extra: number, first: number): CycleSpec[] {
  return [
    { name: 'G0' + suffix, allowed: WW | extra, first, need: 0, rwMin: 0, rwMax: 0 },
    { name: 'G1c' + suffix, allowed: WW | WR | extra, first, need: WR, rwMin: 0, rwMax: 0 },
    { name: 'G-single' + suffix, allowed: DATA | extra, first, need: 0, rwMin: 1, rwMax: 1 },
    { name: 'G2-item' + suffix, allowed: DATA | extra, first, need: 0, rwMin: 2, rwMax: 2 },
  ];
}

export const CYCLE_SPECS: readonly CycleSpec[] = [
  { name: 'G0', allowed: WW, first: WW, need: 0, rwMin: 0, rwMax: 0 },
  { name: 'G1c', allowed: WW | WR, first: WR, need: 0, rwMin: 0, rwMax: 0 },
  { name: 'G-single', allowed: DATA, first: RW, need: 0, rwMin: 1, rwMax: 1 },
  { name: 'G2-item', allowed: DATA, first: RW, need: 0, rwMin: 2, rwMax: 2 },
  ...variants('-process', PROCESS, PROCESS),
  ...variants('-realtime', PROCESS | REALTIME, REALTIME),
];

/** a found cycle: nodes[i] -kinds[i]-> nodes[i+1], the last back to nodes[0] */
export interface FoundCycle {
  spec: string;
  nodes: number[];
  kinds: number[];
}

export interface SearchOptions {
  /** BFS steps allowed per (component, spec); the shortest cycle within it is kept */
  budget?: number;
  /** specs to search (default all) */
  specs?: readonly CycleSpec[];
}

export interface CycleSearch {
  cycles: FoundCycle[];
  /** sizes of components in which no cycle was found within the budget (each holds some cycle) */
  unclassified: number[];
}

/**
 * At most one shortest cycle per anomaly per strongly connected component. Within the budget the
 * cycle is the shortest through its best first edge; a component too big for the budget gets the
 * shortest found before the budget ran out, or lands in `unclassified`.
 */
export function findCycles(g: Graph, comps: Components, opts: SearchOptions = {}): CycleSearch {
  const specs = opts.specs ?? CYCLE_SPECS;
  const budget = opts.budget ?? 200_000;
  const { offsets, targets, kinds } = g;
  const { comp, sccs } = comps;
  const out: FoundCycle[] = [];
  const unclassified: number[] = [];
  let cap = 0;
  let local = new Int32Array(0);
  let stamp = new Int32Array(0), pState = new Int32Array(0), pEdge = new Int32Array(0), queue = new Int32Array(0);
  const localOf = new Int32Array(g.n);
  let epoch = 0;

  for (let c = 0; c < sccs.length; c++) {
    const members = sccs[c]!;
    const size = members.length;
    if (size * 6 > cap) {
      cap = size * 6;
      stamp = new Int32Array(cap); pState = new Int32Array(cap); pEdge = new Int32Array(cap); queue = new Int32Array(cap);
      local = new Int32Array(size); epoch = 0;
    }
    if (local.length < size) local = new Int32Array(size);
    for (let i = 0; i < size; i++) { localOf[members[i]!] = i; local[i] = members[i]!; }
    // kinds present in this component, and its edges per kind (candidates for `first`)
    let present = 0;
    for (let i = 0; i < size; i++) {
      const v = members[i]!;
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) if (comp[targets[e]!] === c) present |= kinds[e]!;
    }
    const before = out.length;
    for (const spec of specs) {
      if (!(present & spec.first)) continue;
      if (spec.need && !(present & spec.need)) continue;
      if (spec.rwMin > 0 && !(present & RW)) continue;
      let best: { nodes: number[]; kinds: number[] } | null = null;
      let steps = 0;
      scan: for (let i = 0; i < size; i++) {
        const u = members[i]!;
        for (let fe = offsets[u]!; fe < offsets[u + 1]!; fe++) {
          const fk = kinds[fe]!;
          const v = targets[fe]!;
          if (!(fk & spec.first) || comp[v] !== c) continue;
          const rw0 = fk === RW ? 1 : 0;
          if (rw0 > spec.rwMax) continue;
          const need0 = !spec.need || (fk & spec.need) ? 1 : 0;
          // BFS from v to u
          epoch++;
          const limit = best ? best.nodes.length - 1 : Infinity; // path edges allowed
          let head = 0, tail = 0;
          const s0 = localOf[v]! * 6 + rw0 * 2 + need0;
          stamp[s0] = epoch; pState[s0] = -1; pEdge[s0] = -1;
          queue[tail++] = s0;
          let depthEnd = tail, depth = 0, hit = -1;
          while (head < tail && hit < 0) {
            if (head === depthEnd) { depth++; depthEnd = tail; if (depth >= limit) break; }
            const s = queue[head++]!;
            const x = local[(s / 6) | 0]!;
            const rwc = ((s % 6) / 2) | 0, nd = s & 1;
            for (let e = offsets[x]!; e < offsets[x + 1]!; e++) {
              const k = kinds[e]!;
              if (!(k & spec.allowed)) continue;
              const y = targets[e]!;
              if (comp[y] !== c) continue;
              steps++;
              const r = Math.min(2, rwc + (k === RW ? 1 : 0));
              if (r > spec.rwMax) continue;
              const n2 = nd | (spec.need & k ? 1 : 0);
              const s2 = localOf[y]! * 6 + r * 2 + n2;
              if (stamp[s2] === epoch) continue;
              stamp[s2] = epoch; pState[s2] = s; pEdge[s2] = e;
              if (y === u && r >= spec.rwMin && n2 === 1) { hit = s2; break; }
              queue[tail++] = s2;
            }
          }
          if (hit >= 0) {
            const pathNodes: number[] = [], pathKinds: number[] = [];
            for (let s = hit; pState[s] !== -1; s = pState[s]!) { pathKinds.push(kinds[pEdge[s]!]!); pathNodes.push(local[(pState[s]! / 6) | 0]!); }
            pathNodes.reverse(); pathKinds.reverse();
            const nodes = [u, ...pathNodes];
            const ks = [fk, ...pathKinds];
            // the BFS runs over (txn, rw count, need) states, so a walk can pass a txn twice; only a
            // simple cycle shows the anomaly (a walk splits into cycles with fewer rw edges each)
            const simple = new Set(nodes).size === nodes.length;
            if (simple && (!best || nodes.length < best.nodes.length)) best = { nodes, kinds: ks };
            if (best && best.nodes.length === 2) break scan;
          }
          if (steps > budget && best) break scan;
          if (steps > budget * 4) break scan;
        }
      }
      if (best) out.push({ spec: spec.name, nodes: best.nodes, kinds: best.kinds });
    }
    if (out.length === before) unclassified.push(size);
  }
  return { cycles: out, unclassified };
}
