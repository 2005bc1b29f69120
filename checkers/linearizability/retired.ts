/**
 * "Retired states": an exact pruning for models that say which state an op needs and which it
 * makes (model.observes / model.produces; registers: a read of v needs v, a write of v makes v).
 *
 * If the search is in state s, some unplaced completed op can only be linearized in s, and no
 * unplaced op can make s again, then leaving s dooms the branch: that op can never be placed.
 * Porcupine's search finds out only when it reaches that op's return, after trying every order
 * of the ops called in between, which is exponential in the number of concurrent writes (20
 * clients on one register exhaust a 4M-entry memo). The counts depend only on the linearized set,
 * so the pruning agrees with the memo table's (set, state) configurations.
 */
export class RetiredStates {
  /** per state id: unplaced completed ops that can only go in that state */
  private readonly needs: Int32Array;
  /** per state id: unplaced ops that can make that state */
  private readonly makes: Int32Array;

  /** `observed[op]` / `produced[op]`: the state id the op needs / makes, or -1 */
  constructor(private readonly observed: Int32Array, private readonly produced: Int32Array, stateCount: number) {
    this.needs = new Int32Array(stateCount);
    this.makes = new Int32Array(stateCount);
    for (let op = 0; op < observed.length; op++) {
      if (observed[op]! >= 0) this.needs[observed[op]!]!++;
      if (produced[op]! >= 0) this.makes[produced[op]!]!++;
    }
  }

  place(op: number): void {
    if (this.observed[op]! >= 0) this.needs[this.observed[op]!]!--;
    if (this.produced[op]! >= 0) this.makes[this.produced[op]!]!--;
  }

  unplace(op: number): void {
    if (this.observed[op]! >= 0) this.needs[this.observed[op]!]!++;
    if (this.produced[op]! >= 0) this.makes[this.produced[op]!]!++;
  }

  /** would placing `op` in state `from`, moving to another state, strand an op that needs `from`? */
  strands(from: number, op: number): boolean {
    // states first seen during the search are needed by no op
    if (from >= this.needs.length) return false;
    const needed = this.needs[from]! - (this.observed[op] === from ? 1 : 0);
    return needed > 0 && this.makes[from] === 0;
  }
}
