/** JSON with object keys sorted, so equal states give equal strings whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  return '{' + Object.keys(obj).sort().map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

/**
 * A final-read state as flat entries "field.key" → canonical value, e.g. "balances.3" → "10",
 * "keys.a" → "[1,2]". Works for every workload's {field: {key: value}} state; any other shape
 * becomes the single entry "" → the whole state.
 */
export function flattenState(state: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    out.set('', canonicalJson(state));
    return out;
  }
  for (const [field, inner] of Object.entries(state as Record<string, unknown>)) {
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
      for (const [k, v] of Object.entries(inner as Record<string, unknown>)) out.set(`${field}.${k}`, canonicalJson(v));
    } else {
      out.set(field, canonicalJson(inner));
    }
  }
  return out;
}
