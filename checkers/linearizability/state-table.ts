import type { Model } from './model.ts';

/**
 * Interns model states as small integers, so the memo table stores and compares an int per
 * configuration instead of calling the model's equal/hash on every lookup.
 * Primitive states use a JS Map (value identity); other states the model's hash and equal.
 */
export class StateTable<S> {
  readonly states: S[] = [];
  private readonly byValue = new Map<S, number>();
  private readonly byHash = new Map<number, number[]>();

  constructor(private readonly model: Model<S, any, any>) {}

  idOf(state: S): number {
    const { hash, equal } = this.model;
    if (!hash || !equal) {
      let id = this.byValue.get(state);
      if (id === undefined) {
        id = this.states.length;
        this.states.push(state);
        this.byValue.set(state, id);
      }
      return id;
    }
    const h = hash(state) | 0;
    const ids = this.byHash.get(h);
    if (ids) {
      for (const id of ids) if (equal(this.states[id]!, state)) return id;
    }
    const id = this.states.length;
    this.states.push(state);
    if (ids) ids.push(id); else this.byHash.set(h, [id]);
    return id;
  }
}
