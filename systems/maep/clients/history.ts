import type { Client, ClientContext } from '../../../api/client.ts';
import { JsonClient } from '../../http-json.ts';
import { readCompletion, writeCompletion } from '../outcome.ts';
import { finalReadOf, requestSync } from '../final-read.ts';
import { baseUrl } from '../address.ts';

function entryValues(body: any): unknown[] {
  if (!body || !Array.isArray(body.entries)) throw new Error('no "entries" array');
  return body.entries.map((e: any) => e?.value);
}

/** history on maep: POST /history/:key appends, GET /history/:key reads the causal order */
export function historyClient(ctx: ClientContext): Client {
  const http = new JsonClient(baseUrl(ctx.node), { timeoutMs: ctx.timeoutMs });
  const keyCount = ctx.workload.params.keys as number;
  return {
    async invoke(op, signal) {
      const [key, v] = op.value as [number, unknown];
      const path = `/history/${key}`;
      if (op.f === 'append') return writeCompletion(await http.call('POST', path, { value: v }, signal), op.value);
      if (op.f === 'read') return readCompletion(await http.call('GET', path, undefined, signal), op.value, (b) => [key, entryValues(b)]);
      return { type: 'fail', value: op.value, error: `history has no op ${op.f}` };
    },
    sync: (signal) => requestSync(http, signal),
    finalRead(signal) {
      return finalReadOf(http, signal, async () => {
        const out: Record<string, unknown[]> = {};
        for (let k = 0; k < keyCount; k++) {
          const r = await http.call('GET', `/history/${k}`, undefined, signal);
          if (r.kind !== 'ok') return r;
          try { out[k] = entryValues(r.body); } catch (e) { return { kind: 'unknown', error: `bad answer: ${(e as Error).message}` }; }
        }
        return { kind: 'ok', status: 200, body: null, state: { keys: out } };
      });
    },
    async close() { http.close(); },
  };
}
