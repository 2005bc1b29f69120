/**
 * Dense integer ids for appended (key, value) pairs, and stamped membership marks over them.
 * Per-list checks on 100k-op histories touch tens of millions of list elements; typed arrays
 * indexed by id keep that to one array lookup per element (values are usually a dense range of
 * integers, so `lookup` is a table read plus a key check; otherwise a Map lookup).
 */
export class ValueIds {
  private readonly byKey = new Map<string, Map<number, number>>();
  private readonly keyNos = new Map<string, number>();
  private keyOfId: number[] = [];
  private table: Int32Array | undefined;
  private min = 0;
  private readonly perKeyNo: Map<number, number>[] = [];
  size = 0;

  /** the id of (key, value), assigned when new; call before `seal()` */
  add(key: string, value: number): number {
    let m = this.byKey.get(key);
    if (!m) { m = new Map(); this.byKey.set(key, m); this.keyNos.set(key, this.perKeyNo.length); this.perKeyNo.push(m); }
    let id = m.get(value);
    if (id === undefined) { id = this.size++; m.set(value, id); this.keyOfId.push(this.keyNos.get(key)!); }
    return id;
  }

  /** builds the fast table when values are integers in a range at most 4× their count (+1024) */
  seal(): this {
    let min = Infinity, max = -Infinity, integers = true;
    for (const m of this.perKeyNo) for (const v of m.keys()) { if (!Number.isInteger(v)) integers = false; if (v < min) min = v; if (v > max) max = v; }
    if (integers && this.size > 0 && max - min < 4 * this.size + 1024) {
      const table = new Int32Array(max - min + 1).fill(-1);
      this.perKeyNo.forEach((m) => { for (const [v, id] of m) table[v - min] = table[v - min] === -1 ? id : -2; });
      this.table = table; this.min = min;
    }
    return this;
  }

  has(key: string, value: number): boolean { return this.byKey.get(key)?.has(value) ?? false; }

  /** the key's number for `lookup`, or -1 when nothing was appended to it */
  keyNo(key: string): number { return this.keyNos.get(key) ?? -1; }

  /** the id of (key number, value), or -1 */
  lookup(keyNo: number, value: number): number {
    if (keyNo < 0) return -1;
    const t = this.table;
    if (t) {
      const i = value - this.min;
      if (i >= 0 && i < t.length && Number.isInteger(i)) {
        const id = t[i]!;
        if (id >= 0) return this.keyOfId[id] === keyNo ? id : -1;
        if (id === -1) return -1;
      } else return -1;
    }
    return this.perKeyNo[keyNo]!.get(value) ?? -1;
  }
}

/** Marks which ids are in the current list and where; `begin()` starts a new list in O(1). */
export class ListMarks {
  private readonly mark: Int32Array;
  private readonly pos: Int32Array;
  private stamp = 0;
  constructor(size: number) { this.mark = new Int32Array(size); this.pos = new Int32Array(size); }
  begin(): void { this.stamp++; }
  /** marks id at position i; returns false when it was already marked in this list (a duplicate) */
  set(id: number, i: number): boolean {
    if (this.mark[id] === this.stamp) return false;
    this.mark[id] = this.stamp; this.pos[id] = i;
    return true;
  }
  has(id: number): boolean { return this.mark[id] === this.stamp; }
  /** position of id in the current list, or -1 */
  position(id: number): number { return this.mark[id] === this.stamp ? this.pos[id]! : -1; }
}
