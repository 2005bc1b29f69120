import type { Client, ClientContext } from '../../../api/client.ts';
import { JsonClient } from '../../http-json.ts';
import { readCompletion, writeCompletion } from '../outcome.ts';
import { finalReadOf, requestSync } from '../final-read.ts';
import { baseUrl } from '../address.ts';

/** the one history key that holds the set: maep has no set type, and an append-only history is one */
const PATH = '/history/set';

function elements(body: any): unknown[] {
  if (!body || !Array.isArray(body.entries)) throw new Error('no "entries" array');
  return body.entries.map((e: any) => e?.value).sort((a: number, b: number) => a - b);
}

/** set on maep: an add appends to one history key; a read returns its values */
export function setClient(ctx: ClientContext): Client {
  const http = new JsonClient(baseUrl(ctx.node), { timeoutMs: ctx.timeoutMs });
  return {
    async invoke(op, signal) {
      if (op.f === 'add') return writeCompletion(await http.call('POST', PATH, { value: op.value }, signal), op.value);
      if (op.f === 'read') return readCompletion(await http.call('GET', PATH, undefined, signal), op.value, elements);
      return { type: 'fail', value: op.value, error: `set has no op ${op.f}` };
    },
    sync: (signal) => requestSync(http, signal),
    finalRead(signal) {
      return finalReadOf(http, signal, async () => {
        const r = await http.call('GET', PATH, undefined, signal);
        if (r.kind !== 'ok') return r;
        try { return { ...r, state: { elements: elements(r.body) } }; } catch (e) { return { kind: 'unknown', error: `bad answer: ${(e as Error).message}` }; }
      });
    },
    async close() { http.close(); },
  };
}
