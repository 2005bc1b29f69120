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

/**
 * Per key: each key is its own partition. The state is the key's string with a rolling hash kept
 * alongside (extended by each append), so interning a new state hashes only the appended part.
 */
interface KvKeyState { s: string; h: number }

function extendHash(h: number, t: string): number {
  for (let i = 0; i < t.length; i++) h = (Math.imul(h, 0x01000193) + t.charCodeAt(i)) | 0;
  return h;
}

const EMPTY: KvKeyState = { s: '', h: 0 };

export const kvModel: Model<KvKeyState, KvInput, unknown> = {
  name: 'kv',
  init: () => EMPTY,
  step(state, input, output) {
    switch (input.f) {
      case 'get':
        return output === undefined || output === state.s ? state : ILLEGAL;
      case 'put':
        return { s: input.value!, h: extendHash(0, input.value!) };
      case 'append':
        return { s: state.s + input.value!, h: extendHash(state.h, input.value!) };
    }
  },
  hash: (state) => state.h,
  equal: (a, b) => a === b || (a.h === b.h && a.s === b.s),
  readOnly: (input) => input.f === 'get',
  partitionKey: (input) => input.key,
  validate: validateKv,
  describeOp: describeKvOp,
  describeState: (s) => JSON.stringify(s.s),
};

/**
 * The whole map as one state, no partitioning (porcupine's "no partition" kv model): slower, for
 * checking the checker. Each state carries a hash per key and their sum, updated incrementally,
 * so interning a state costs one string hash and comparing two mostly compares integers.
 */
interface KvMapState {
  /** keys ever written, sorted; shared between states until a new key appears */
  keys: readonly string[];
  values: readonly string[];
  entryHashes: Int32Array;
  hash: number;
}

function hashEntry(key: string, value: string): number {
  if (value === '') return 0; // "" and absent are the same value
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0xff, 0x01000193);
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  h ^= h >>> 15; h = Math.imul(h, 0x2c1b3c6d); h ^= h >>> 12; h = Math.imul(h, 0x297a2d39); h ^= h >>> 15;
  return h;
}

export const kvSingleModel: Model<KvMapState, KvInput, unknown> = {
  name: 'kv-single',
  init: () => ({ keys: [], values: [], entryHashes: new Int32Array(0), hash: 0 }),
  step(state, input, output) {
    let i = state.keys.indexOf(input.key);
    const cur = i < 0 ? '' : state.values[i]!;
    if (input.f === 'get') return output === undefined || output === cur ? state : ILLEGAL;
    const value = input.f === 'put' ? input.value! : cur + input.value!;
    let { keys } = state;
    let values = state.values.slice();
    let entryHashes = state.entryHashes.slice();
    if (i < 0) {
      // a new key: insert it in sorted place so equal states have equal layouts
      i = 0;
      while (i < keys.length && keys[i]! < input.key) i++;
      keys = [...keys.slice(0, i), input.key, ...keys.slice(i)];
      values = [...values.slice(0, i), '', ...values.slice(i)];
      const grown = new Int32Array(keys.length);
      grown.set(entryHashes.subarray(0, i));
      grown.set(entryHashes.subarray(i), i + 1);
      entryHashes = grown;
    }
    const h = hashEntry(input.key, value);
    const hash = (state.hash - entryHashes[i]! + h) | 0;
    values[i] = value;
    entryHashes[i] = h;
    return { keys, values, entryHashes, hash };
  },
  readOnly: (input) => input.f === 'get',
  hash: (state) => state.hash,
  equal(a, b) {
    if (a.hash !== b.hash) return false;
    const n = Math.max(a.keys.length, b.keys.length);
    if (a.keys === b.keys || (a.keys.length === b.keys.length && a.keys.every((k, i) => k === b.keys[i]))) {
      for (let i = 0; i < n; i++) if (a.entryHashes[i] !== b.entryHashes[i]) return false;
      for (let i = 0; i < n; i++) if (a.values[i] !== b.values[i]) return false;
      return true;
    }
    // different key sets can still be equal maps when the extra keys hold ""
    const get = (s: KvMapState, k: string) => { const j = s.keys.indexOf(k); return j < 0 ? '' : s.values[j]!; };
    for (let i = 0; i < a.keys.length; i++) if (get(b, a.keys[i]!) !== a.values[i]) return false;
    for (let i = 0; i < b.keys.length; i++) if (get(a, b.keys[i]!) !== b.values[i]) return false;
    return true;
  },
  validate: validateKv,
  describeOp: describeKvOp,
  describeState(s) {
    const entries = s.keys.map((k, i) => [k, s.values[i]!] as const).filter(([, v]) => v !== '');
    return '{' + entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ') + '}';
  },
};
