/**
 * maep's workload clients for the simulator: the same op → request mapping as the HTTP clients
 * (clients/*.ts: the route each op takes, as node/shell/http.ts turns it into a core request) and
 * the same completions (outcome.ts): a 2xx is ok, a 4xx or a refused connection fail, a timeout
 * or a 5xx info for a write and fail for a read. The core answers with fresh objects, so they are used as they are.
 */
import type { Client, ClientContext } from '../../api/client.ts';
import type { SimCall, SimCallOutcome } from '../../api/sim.ts';
import type { Completion, GeneratedOp } from '../../api/workload.ts';
import type { FinalRead } from '../../api/history.ts';
import type { HttpOutcome } from '../http-json.ts';
import { readCompletion, writeCompletion } from './outcome.ts';
import type { MaepSimRequest } from './sim-node.ts';
import { completedOps, type MicroOp } from './clients/txn.ts';

/** a simulated call seen as the HTTP client would have seen it */
export function httpOutcomeOf(o: SimCallOutcome): HttpOutcome {
  if (o.kind === 'refused') return { kind: 'refused', error: 'connection refused (ECONNREFUSED)' };
  if (o.kind === 'timeout') return { kind: 'unknown', error: 'timeout' };
  const a = o.answer as { status: number; body: any };
  if (a.status >= 200 && a.status < 300) return { kind: 'ok', status: a.status, body: a.body };
  if (a.status >= 400 && a.status < 500) return { kind: 'refused', status: a.status, body: a.body, error: typeof a.body?.error === 'string' ? a.body.error : `http ${a.status}` };
  return { kind: 'unknown', error: `http ${a.status}` };
}

const entryValues = (body: any): unknown[] => {
  if (!body || !Array.isArray(body.entries)) throw new Error('no "entries" array');
  return body.entries.map((e: any) => e?.value);
};
const registerValue = (body: any): unknown => {
  if (!body || typeof body !== 'object' || !('value' in body)) throw new Error('no "value" field');
  return body.value ?? null;
};
const balancesOf = (body: any): Record<string, number> => {
  const b = body?.balances;
  if (!b || typeof b !== 'object') throw new Error('no "balances" object');
  return b as Record<string, number>;
};
const SET_KEY = 'set';

interface Mapping {
  /** an op → its request and whether it writes, and how an ok read answer becomes the op's value */
  op(op: GeneratedOp): { req: MaepSimRequest; write: boolean; value?: (body: any) => unknown } | null;
  /** the final read's state requests, in order, and how their answers become the state */
  finalState(): { reqs: MaepSimRequest[]; state: (bodies: any[]) => unknown };
}

function mapping(workload: string, ctx: ClientContext): Mapping {
  const keyCount = ctx.workload.params.keys as number;
  const keys = () => Array.from({ length: keyCount }, (_, k) => k);
  switch (workload) {
    case 'history': return {
      op: (op) => {
        const [key, v] = op.value as [number, unknown];
        if (op.f === 'append') return { req: { t: 'append', key: String(key), value: v }, write: true };
        if (op.f === 'read') return { req: { t: 'history', key: String(key) }, write: false, value: (b) => [key, entryValues(b)] };
        return null;
      },
      finalState: () => ({ reqs: keys().map((k) => ({ t: 'history', key: String(k) })), state: (bs) => ({ keys: Object.fromEntries(bs.map((b, k) => [k, entryValues(b)])) }) }),
    };
    case 'lww': return {
      op: (op) => {
        const [key, arg] = op.value as [number, any];
        if (op.f === 'read') return { req: { t: 'get', key: String(key) }, write: false, value: (b) => [key, registerValue(b)] };
        if (op.f === 'write') return { req: { t: 'put', key: String(key), value: arg }, write: true };
        if (op.f === 'cas') return { req: { t: 'cas', key: String(key), expected: arg[0], new: arg[1] }, write: true };
        return null;
      },
      finalState: () => ({ reqs: keys().map((k) => ({ t: 'get', key: String(k) })), state: (bs) => ({ registers: Object.fromEntries(bs.map((b, k) => [k, registerValue(b)])) }) }),
    };
    case 'set': return {
      op: (op) => {
        if (op.f === 'add') return { req: { t: 'append', key: SET_KEY, value: op.value }, write: true };
        if (op.f === 'read') return { req: { t: 'history', key: SET_KEY }, write: false, value: (b) => (entryValues(b) as number[]).sort((x, y) => x - y) };
        return null;
      },
      finalState: () => ({ reqs: [{ t: 'history', key: SET_KEY }], state: (bs) => ({ elements: (entryValues(bs[0]) as number[]).sort((x, y) => x - y) }) }),
    };
    case 'bank': return {
      op: (op) => {
        const v = op.value as { from: number; to: number; amount: number };
        if (op.f === 'transfer') return { req: { t: 'transfer', from: v.from, to: v.to, amount: v.amount }, write: true };
        if (op.f === 'read') return { req: { t: 'bank' }, write: false, value: balancesOf };
        return null;
      },
      finalState: () => ({ reqs: [{ t: 'bank' }], state: (bs) => ({ balances: balancesOf(bs[0]) }) }),
    };
    // POST /txn (clients/txn.ts): a txn that writes is info when unanswered, a read-only one fail
    case 'list-append': case 'rw-register': return {
      op: (op) => {
        if (op.f !== 'txn') return null;
        const sent = op.value as MicroOp[];
        return { req: { t: 'txn', ops: sent }, write: !sent.every((m) => m[0] === 'r'), value: (b) => completedOps(b, sent) };
      },
      finalState: () => ({ reqs: [{ t: 'txn-all' }], state: (bs) => ({ keys: bs[0]?.keys ?? {} }) }),
    };
    default: throw new Error(`maep has no simulated client for the ${workload} workload`);
  }
}

export function maepSimClient(workload: string, call: SimCall, ctx: ClientContext): Client {
  const m = mapping(workload, ctx);
  const ask = async (req: MaepSimRequest, signal: AbortSignal) => httpOutcomeOf(await call(req, signal));
  return {
    async invoke(op, signal): Promise<Completion> {
      const r = m.op(op);
      if (!r) return { type: 'fail', value: op.value, error: `${workload} has no op ${op.f}` };
      const out = await ask(r.req, signal);
      // a write whose answer carries what it read (a txn) is ok with that answer
      if (r.write && r.value && out.kind === 'ok') return readCompletion(out, op.value, r.value);
      return r.write ? writeCompletion(out, op.value) : readCompletion(out, op.value, r.value!);
    },
    async sync(signal) { await ask({ t: 'sync' }, signal); },
    async finalRead(signal): Promise<Completion> {
      const { reqs, state } = m.finalState();
      const bodies: any[] = [];
      for (const req of reqs) {
        const r = await ask(req, signal);
        if (r.kind !== 'ok') return { type: 'fail', value: null, error: r.error };
        bodies.push(r.body);
      }
      let s: unknown;
      try { s = state(bodies); } catch (e) { return { type: 'fail', value: null, error: `bad answer: ${(e as Error).message}` }; }
      const st = await ask({ t: 'status' }, signal);
      if (st.kind !== 'ok') return { type: 'fail', value: null, error: `status: ${st.error}` };
      const value: FinalRead = { state: s, digest: String(st.body?.merkleRoot ?? '') };
      return { type: 'ok', value };
    },
  };
}
