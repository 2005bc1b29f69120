import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { GeneratedOp, Workload, WorkloadInstance } from '../api/workload.ts';
import { statsChecker } from '../checkers/stats.ts';
import { sessionChecker } from '../checkers/session.ts';
import { convergenceChecker } from '../checkers/convergence.ts';
import { linearizabilityChecker } from '../checkers/linearizability/index.ts';
import { parseParams } from './params.ts';
import { STATS_FALLBACK } from './fallbacks.ts';

/** 1 MiB (maep's --max-value-bytes and request body cap) less 1 KiB for the JSON around a value */
export const MAX_VALUE_BYTES = 1024 * 1024 - 1024;

/**
 * lww: reads, writes and compare-and-set on a few registers.
 * Ops: f "read" [key, null] → [key, v|null];  f "write" [key, v] → same;
 * f "cas" [key, [expected, new]] → same (fail when the node's value differed).
 * Final read state: {registers: {key: v|null}}.
 */
export const lwwParamsSchema = z.strictObject({
  keys: z.int().min(1).max(1000).default(3),
  'read-fraction': z.number().min(0).max(1).default(0.4),
  'cas-fraction': z.number().min(0).max(1).default(0.2),
  /**
   * ask a system that has them for member-local (serializable) reads, which may be stale (etcd);
   * a system whose reads are always served locally (maep) reads the same way either way
   */
  'serializable-reads': z.boolean().default(false),
  /**
   * what the written values are: int (a counter, the default), large (strings of value-bytes),
   * wide (objects of wide-keys keys), deep (arrays and objects nested deep-depth levels), unicode
   * (astral characters, combining marks, right-to-left text, joiners, noncharacters: valid UTF-16
   * only, as any JSON client sends), or mixed (any of these, per write). Every value is unique.
   */
  values: z.enum(['int', 'large', 'wide', 'deep', 'unicode', 'mixed']).default('int'),
  /** large values: characters per string (ASCII, so bytes too); up to maep's 1 MiB cap less 1 KiB for the request around it */
  'value-bytes': z.int().min(16).max(MAX_VALUE_BYTES).default(16_384),
  /** wide values: keys per object (msgpack maps hold at most 65,535) */
  'wide-keys': z.int().min(1).max(65_535).default(256),
  /** deep values: nesting levels (maep refuses over 64 in the whole value) */
  'deep-depth': z.int().min(1).max(60).default(32),
});
export type LwwParams = z.infer<typeof lwwParamsSchema>;
export type LwwValues = LwwParams['values'];

/**
 * Written values are unique (a counter), which keeps the linearizability search narrow; a cas
 * expects one of the key's recently generated values so that some succeed and some are refused.
 */
export function lwwGenerator(p: LwwParams, rng: Rng): () => GeneratedOp {
  let next = 1;
  const recent = new Map<number, unknown[]>();
  // the shapes draw from their own stream, so the ops (keys, kinds) are the same for every `values`
  const shape = p.values === 'int' ? null : oddValues(p, rng.fork('lww:values'));
  return () => {
    const key = rng.int(0, p.keys - 1);
    const u = rng.next();
    if (u < p['read-fraction']) return { f: 'read', value: [key, null] };
    const n = next++;
    const v = shape ? shape(n) : n;
    const seen = recent.get(key) ?? [];
    recent.set(key, [...seen.slice(-2), v]);
    if (u < p['read-fraction'] + p['cas-fraction'] && seen.length > 0) return { f: 'cas', value: [key, [rng.pick(seen), v]] };
    return { f: 'write', value: [key, v] };
  };
}

export const lww: Workload = {
  name: 'lww',
  description: 'reads, writes and compare-and-set on a few registers; checks linearizability, sessions and convergence',
  paramNames: Object.keys(lwwParamsSchema.shape),
  create(raw): WorkloadInstance {
    const p = parseParams('lww', lwwParamsSchema, raw);
    return {
      name: 'lww',
      params: p,
      checkParams: { keys: Array.from({ length: p.keys }, (_, i) => i), readFraction: p['read-fraction'], casFraction: p['cas-fraction'] },
      generator: (rng) => lwwGenerator(p, rng),
      checks: () => [
        { name: 'stats', check: statsChecker, fallback: STATS_FALLBACK },
        { name: 'linearizability', check: linearizabilityChecker },
        { name: 'session', check: sessionChecker },
        { name: 'convergence', check: convergenceChecker },
      ],
    };
  },
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** the edge cases a unicode value is built from; each valid UTF-16 (no lone surrogate) */
export const UNICODE_PIECES: readonly string[] = [
  '\u{1F600}', // 😀 astral: a surrogate pair
  '\u{1D11E}', // 𝄞
  '\u{10FFFD}', // the last astral code point that is not a noncharacter
  'e\u0301', // e + combining acute (NFD of é)
  '\u00E9', // é precomposed (NFC): a different string from the one above
  'Z\u0324\u0354\u0367', // stacked combining marks
  '\u05E9\u05DC\u05D5\u05DD', // שלום, right to left
  '\u0645\u0631\u062D\u0628\u0627', // مرحبا
  '\u202Eevil\u202C', // right-to-left override … pop
  '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}', // family: zero-width joiners
  '\u{1F1FA}\u{1F1F8}', // a flag: two regional indicators
  '\uFEFF', // byte order mark / zero-width no-break space
  '\u200B', // zero-width space
  '\uFFFD', // replacement character itself
  '\uFFFF', // a noncharacter (valid UTF-16)
  '\u0000', // NUL
  '\t\n\r"\\/', // JSON escapes
  '\u2028\u2029', // line / paragraph separators (not valid in JS string literals before ES2019)
  '\u0130\u0131', // İı: case mapping traps
  '\u6F22\u5B57', // 漢字
];

/**
 * Odd values for the lww writes, each unique through n (the write counter): whatever the shape,
 * the linearizability checker compares them by canonical JSON, so uniqueness keeps its search as
 * narrow as with integers. Top-level values are strings or objects, never arrays (a read of an
 * array would look like a list to the session checker).
 */
export function oddValues(p: Pick<LwwParams, 'values' | 'value-bytes' | 'wide-keys' | 'deep-depth'>, rng: Rng): (n: number) => unknown {
  const kinds = ['large', 'wide', 'deep', 'unicode'] as const;
  const large = (n: number, bytes: number) => {
    const head = `L${n}:`;
    // a seeded period so values differ in more than their head, cheap to build at 1 MiB
    // letters and digits only: no character JSON would escape, so the request is as long as the value
    const unit = Array.from({ length: 61 }, () => ALNUM[rng.int(0, ALNUM.length - 1)]).join('');
    return head + unit.repeat(Math.ceil(bytes / unit.length)).slice(0, Math.max(0, bytes - head.length));
  };
  const wide = (n: number, keys: number) => {
    const o: Record<string, unknown> = { id: n };
    for (let i = 1; i < keys; i++) o[`k${i}`] = rng.next() < 0.5 ? i : `v${i}`;
    return o;
  };
  const deep = (n: number, depth: number) => {
    // innermost first; alternate arrays and objects; the whole value is depth levels deep
    let inner: unknown = n;
    for (let d = depth - 1; d >= 1; d--) inner = d % 2 === 0 ? [d, inner] : { [`l${d}`]: inner };
    return { id: n, deep: inner };
  };
  const unicode = (n: number) => {
    const count = rng.int(1, 6);
    let text = '';
    for (let i = 0; i < count; i++) text += rng.pick(UNICODE_PIECES);
    // sometimes as an object key too
    return rng.next() < 0.3 ? { id: n, [text]: `${n}${rng.pick(UNICODE_PIECES)}` } : `${n}${text}`;
  };
  const one = (kind: (typeof kinds)[number], n: number, mixed: boolean): unknown => {
    switch (kind) {
      // in mixed, sizes vary up to the configured ones, so a run does not send only the largest
      case 'large': return large(n, mixed ? rng.int(16, p['value-bytes']) : p['value-bytes']);
      case 'wide': return wide(n, mixed ? rng.int(1, p['wide-keys']) : p['wide-keys']);
      case 'deep': return deep(n, mixed ? rng.int(1, p['deep-depth']) : p['deep-depth']);
      case 'unicode': return unicode(n);
    }
  };
  return (n) => (p.values === 'mixed' ? one(rng.pick(kinds), n, true) : one(p.values as (typeof kinds)[number], n, false));
}
