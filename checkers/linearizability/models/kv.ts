import { ILLEGAL, type Model } from '../model.ts';

/**
 * Key/value map of strings (porcupine's kv histories): every key starts as "", `get` returns the
 * key's value, `put` sets it, `append` concatenates to it.
 */
export interface KvInput {
  f: 'get' | 'put' | 'append';
  key: string;
  /** the argument of put/append */
  value?: string;
}

function validateKv(input: unknown, output: unknown): string | undefined {
  const i = input as Partial<KvInput> | null;
  if (i === null || typeof i !== 'object' || typeof i.key !== 'string') return 'kv op needs a string key';
  if (i.f === 'get') return output === undefined || typeof output === 'string' ? undefined : 'get output must be a string';
  if (i.f === 'put' || i.f === 'append') return typeof i.value === 'string' ? undefined : `${i.f} needs a string value`;
  return `kv does not know f ${JSON.stringify(i.f)}`;
}

function describeKvOp(input: KvInput, output: unknown): string {
  if (input.f === 'get') return `get(${JSON.stringify(input.key)}) → ${output === undefined ? '? (pending)' : JSON.stringify(output)}`;
  return `${input.f}(${JSON.stringify(input.key)}, ${JSON.stringify(input.value)})`;
}

/** per key: each key is its own partition and the state is that key's string */
export const kvModel: Model<string, KvInput, unknown> = {
  name: 'kv',
  init: () => '',
  step(state, input, output) {
    switch (input.f) {
      case 'get':
        return output === undefined || output === state ? state : ILLEGAL;
      case 'put':
        return input.value!;
      case 'append':
        return state + input.value!;
    }
  },
  readOnly: (input) => input.f === 'get',
  partitionKey: (input) => input.key,
  validate: validateKv,
  describeOp: describeKvOp,
  describeState: (s) => JSON.stringify(s),
};

/** the whole map as one state, no partitioning (porcupine's "no partition" kv model); slow, for checking the checker */
type KvMap = ReadonlyMap<string, string>;

function hashString(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

export const kvSingleModel: Model<KvMap, KvInput, unknown> = {
  name: 'kv-single',
  init: () => new Map(),
  step(state, input, output) {
    const cur = state.get(input.key) ?? '';
    switch (input.f) {
      case 'get':
        return output === undefined || output === cur ? state : ILLEGAL;
      case 'put':
      case 'append': {
        const next = new Map(state);
        next.set(input.key, input.f === 'put' ? input.value! : cur + input.value!);
        return next;
      }
    }
  },
  readOnly: (input) => input.f === 'get',
  // order-independent: sum of per-entry hashes; "" and absent are the same value
  hash(state) {
    let h = 0;
    for (const [k, v] of state) if (v !== '') h = (h + hashString(v, hashString(k, 0x811c9dc5) ^ 0x5bd1e995)) | 0;
    return h;
  },
  equal(a, b) {
    for (const [k, v] of a) if ((b.get(k) ?? '') !== v) return false;
    for (const [k, v] of b) if ((a.get(k) ?? '') !== v) return false;
    return true;
  },
  validate: validateKv,
  describeOp: describeKvOp,
  describeState(s) {
    const entries = [...s].filter(([, v]) => v !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return '{' + entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ') + '}';
  },
};
