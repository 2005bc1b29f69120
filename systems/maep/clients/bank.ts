import type { Client, ClientContext } from '../../../api/client.ts';
import { JsonClient } from '../../http-json.ts';
import { readCompletion, writeCompletion } from '../outcome.ts';
import { finalReadOf, requestSync } from '../final-read.ts';
import { baseUrl } from '../address.ts';

/** {"0": 10, ...} with numeric balances, or an error naming what was wrong */
function balancesOf(body: any): Record<string, number> {
  const b = body?.balances;
  if (!b || typeof b !== 'object') throw new Error('no "balances" object');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) {
    if (typeof v !== 'number') throw new Error(`balance of ${k} is not a number`);
    out[k] = v;
  }
  return out;
}

/** bank on maep: POST /bank/transfer (409 = refused: insufficient funds), GET /bank */
export function bankClient(ctx: ClientContext): Client {
  const http = new JsonClient(baseUrl(ctx.node), { timeoutMs: ctx.timeoutMs });
  return {
    async invoke(op, signal) {
      if (op.f === 'transfer') return writeCompletion(await http.call('POST', '/bank/transfer', op.value, signal), op.value);
      if (op.f === 'read') return readCompletion(await http.call('GET', '/bank', undefined, signal), op.value, balancesOf);
      return { type: 'fail', value: op.value, error: `bank has no op ${op.f}` };
    },
    sync: (signal) => requestSync(http, signal),
    finalRead(signal) {
      return finalReadOf(http, signal, async () => {
        const r = await http.call('GET', '/bank', undefined, signal);
        if (r.kind !== 'ok') return r;
        try { return { ...r, state: { balances: balancesOf(r.body) } }; } catch (e) { return { kind: 'unknown', error: `bad answer: ${(e as Error).message}` }; }
      });
    },
    async close() { http.close(); },
  };
}
