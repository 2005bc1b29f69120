import { ILLEGAL, type LinOp, type Model } from '../model.ts';

/**
 * Register models over one input form, shared by the etcd logs and our lww workload:
 *   {f: "read"} → output: the value read
 *   {f: "write", value}
 *   {f: "cas", from, to} → output: true (it took effect) or false (the register did not hold `from`)
 * plus an optional `key` for the per-key (P-compositional) variants. Values are primitives
 * (readers turn anything else into a canonical string); the initial value is null.
 */
export type RegisterValue = number | string | boolean | null;
export type RegisterInput =
  | { f: 'read'; key?: string | number }
  | { f: 'write'; key?: string | number; value: RegisterValue }
  | { f: 'cas'; key?: string | number; from: RegisterValue; to: RegisterValue };

function isPrimitive(v: unknown): v is RegisterValue {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

/** values over this many characters are shown cut (a large value in a summary line helps nobody) */
const SHOWN_CHARS = 80;

export function showValue(v: unknown): string {
  if (v === null) return 'nil';
  if (v === undefined) return '?';
  if (typeof v !== 'string') return String(v);
  if (v.length <= SHOWN_CHARS) return JSON.stringify(v);
  return `${JSON.stringify(v.slice(0, SHOWN_CHARS))}…(${v.length} chars)`;
}

function describeRegisterOp(input: RegisterInput, output: unknown): string {
  const k = input.key === undefined ? '' : `[${input.key}] `;
  switch (input.f) {
    case 'read':
      return `${k}read → ${output === undefined ? '? (pending)' : showValue(output)}`;
    case 'write':
      return `${k}write ${showValue(input.value)}${output === undefined ? ' (pending)' : ''}`;
    case 'cas':
      return `${k}cas ${showValue(input.from)}→${showValue(input.to)} ${output === undefined ? '(pending)' : output ? 'ok' : 'failed'}`;
  }
}

/**
 * Drops pending writes and pending cas whose written value no op observes (no read returned it, no
 * cas expects it). Such an op may as well never have happened: in any linearization that places
 * it, the ops up to the next write saw its value (none can), and pending ops that were no-ops
 * there can be left out too. Without this, every pending op stays a candidate to the end of the
 * history, and proving a violation would try every subset of them. Not sound when a failed cas
 * observes "not this value" (the etcd histories), so it does nothing if a partition has one.
 */
function dropUnobservedPending(ops: LinOp[]): LinOp[] {
  const observed = new Set<unknown>();
  for (const o of ops) {
    const i = o.input as RegisterInput;
    if (i.f === 'cas' && o.ret !== Infinity && o.output === false) return ops;
    if (i.f === 'read' && o.ret !== Infinity) observed.add(o.output);
    if (i.f === 'cas') observed.add(i.from);
  }
  return ops.filter((o) => {
    if (o.ret !== Infinity) return true;
    const i = o.input as RegisterInput;
    if (i.f === 'write') return observed.has(i.value);
    if (i.f === 'cas') return observed.has(i.to);
    return true;
  });
}

/**
 * A pending write (or cas) that is the only op able to produce its value v must have taken effect
 * before the first op that observed v returned: give it that return time. Exact: every valid
 * linearization places it before that observer, hence before everything the observer precedes in
 * real time; and a pending op may always be treated as completed at a time it did take effect. A
 * pending cas completed this way succeeded (v appeared). The payoff: it stops being a candidate at
 * every later step of the search, where pending ops otherwise stay until the end of the history.
 */
function completeSoleProducers(ops: LinOp[]): LinOp[] {
  const producers = new Map<unknown, number>();
  const firstSeen = new Map<unknown, number>();
  for (const o of ops) {
    const i = o.input as RegisterInput;
    if (i.f === 'write') producers.set(i.value, (producers.get(i.value) ?? 0) + 1);
    if (i.f === 'cas') producers.set(i.to, (producers.get(i.to) ?? 0) + 1);
    if (o.ret === Infinity) continue;
    const seen = i.f === 'read' ? o.output : i.f === 'cas' && o.output === true ? i.from : undefined;
    if (seen !== undefined && !(o.ret >= (firstSeen.get(seen) ?? Infinity))) firstSeen.set(seen, o.ret);
  }
  return ops.map((o) => {
    if (o.ret !== Infinity) return o;
    const i = o.input as RegisterInput;
    const v = i.f === 'write' ? i.value : i.f === 'cas' ? i.to : undefined;
    if (v === undefined || v === null || producers.get(v) !== 1) return o;
    const by = firstSeen.get(v);
    // observed before it was even invoked: leave it to the search to report
    if (by === undefined || by < o.call) return o;
    return { ...o, ret: by, output: true, inferredReturn: true };
  });
}

function simplifyRegisterOps(ops: LinOp[]): LinOp[] {
  return completeSoleProducers(dropUnobservedPending(ops));
}

interface RegisterOptions {
  name: string;
  allowCas: boolean;
  perKey: boolean;
}

function makeRegisterModel(opts: RegisterOptions): Model<RegisterValue, RegisterInput, unknown> {
  return {
    name: opts.name,
    init: () => null,
    step(state, input, output) {
      switch (input.f) {
        case 'read':
          // a pending read constrains nothing
          return output === undefined || output === state ? state : ILLEGAL;
        case 'write':
          return input.value;
        case 'cas':
          if (output === undefined) return input.from === state ? input.to : state;
          if (output === true) return input.from === state ? input.to : ILLEGAL;
          // a failed cas observed a value other than `from`
          return input.from === state ? ILLEGAL : state;
      }
    },
    // a pending cas might have succeeded, so only a definitely failed one is read-only
    readOnly: (input, output) => input.f === 'read' || (input.f === 'cas' && output === false),
    simplify: simplifyRegisterOps,
    observes: (input, output) => (input.f === 'read' ? (output as RegisterValue) : input.f === 'cas' && output === true ? input.from : undefined),
    produces: (input) => (input.f === 'write' ? input.value : input.f === 'cas' ? input.to : undefined),
    partitionKey: opts.perKey ? (input) => input.key ?? '' : undefined,
    validate(input, output) {
      const i = input as Partial<Record<string, unknown>> | null;
      if (i === null || typeof i !== 'object') return 'input is not an object';
      if (i.f !== 'read' && i.f !== 'write' && i.f !== 'cas') return `model ${opts.name} does not know f ${JSON.stringify(i.f)}`;
      if (opts.perKey && !(typeof i.key === 'string' || typeof i.key === 'number')) return 'op has no key';
      if (!opts.perKey && i.key !== undefined) return `op is on key ${JSON.stringify(i.key)}, but ${opts.name} is a single register (use lww)`;
      switch (i.f) {
        case 'read':
          return output === undefined || isPrimitive(output) ? undefined : `read output ${JSON.stringify(output)} is not a plain value`;
        case 'write':
          return isPrimitive(i.value) ? undefined : 'write value is not a plain value';
        case 'cas':
          if (!opts.allowCas) return `model ${opts.name} has no cas (use cas-register)`;
          if (!isPrimitive(i.from) || !isPrimitive(i.to)) return 'cas values are not plain values';
          return output === undefined || typeof output === 'boolean' ? undefined : 'cas output must be true/false';
        default:
          return `model ${opts.name} does not know f ${JSON.stringify(i.f)}`;
      }
    },
    describeOp: describeRegisterOp,
    describeState: (s) => showValue(s),
  };
}

/** one read/write register, initially null */
export const registerModel = makeRegisterModel({ name: 'register', allowCas: false, perKey: false });
/** one read/write/cas register, initially null (the Jepsen etcd histories) */
export const casRegisterModel = makeRegisterModel({ name: 'cas-register', allowCas: true, perKey: false });
/**
 * maep's last-writer-wins registers as the lww workload sees them: read/write/cas per key, each key
 * an independent register starting at null. Failed ops were dropped by the reader (definite
 * non-events), so a cas here is one that took effect or is pending.
 */
export const lwwModel = makeRegisterModel({ name: 'lww', allowCas: true, perKey: true });
