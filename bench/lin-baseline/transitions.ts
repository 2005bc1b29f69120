/**
 * Memo of the model's transitions: (state id, op) → next state id, or ILLEGAL_ID. The search asks
 * the same question many times (an etcd history has a handful of states but a million steps), and
 * a table lookup is cheaper than running the model and interning the state it returns.
 * Dense rows of `n` slots per state id; rows stop growing at `maxBytes`, and states past that are
 * simply not memoized.
 */
export const UNKNOWN_ID = -2;
export const ILLEGAL_ID = -1;

export class TransitionMemo {
  private table: Int32Array;
  private rows: number;
  private readonly maxRows: number;

  constructor(private readonly n: number, maxBytes = 4 * 1024 * 1024) {
    this.maxRows = Math.max(1, Math.floor(maxBytes / 4 / Math.max(1, n)));
    this.rows = Math.min(16, this.maxRows);
    this.table = new Int32Array(this.rows * n).fill(UNKNOWN_ID);
  }

  get bytes(): number { return this.table.byteLength; }

  /** the memoized next state id, UNKNOWN_ID if not asked yet (or not memoizable) */
  get(stateId: number, op: number): number {
    return stateId < this.rows ? this.table[stateId * this.n + op]! : UNKNOWN_ID;
  }

  set(stateId: number, op: number, nextId: number): void {
    if (stateId >= this.rows) {
      if (stateId >= this.maxRows) return;
      let rows = this.rows * 2;
      while (rows <= stateId) rows *= 2;
      rows = Math.min(rows, this.maxRows);
      const table = new Int32Array(rows * this.n).fill(UNKNOWN_ID);
      table.set(this.table);
      this.table = table;
      this.rows = rows;
    }
    this.table[stateId * this.n + op] = nextId;
  }
}
