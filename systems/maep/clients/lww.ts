import type { Client, ClientContext } from '../../../api/client.ts';
import { JsonClient } from '../../http-json.ts';
import { readCompletion, writeCompletion } from '../outcome.ts';
import { finalReadOf, requestSync } from '../final-read.ts';
import { baseUrl } from '../address.ts';

function registerValue(body: any): unknown {
  if (!body || typeof body !== 'object' || !('value' in body)) throw new Error('no "value" field');
  return body.value ?? null;
}

/** lww on maep: GET/PUT /kv/:key, POST /kv/:key/cas (409 = the node's value differed) */
export function lwwClient(ctx: ClientContext): Client {
  const http = new JsonClient(baseUrl(ctx.node), { timeoutMs: ctx.timeoutMs });
  const keyCount = ctx.workload.params.keys as number;
  return {
    async invoke(op, signal) {
      const [key, arg] = op.value as [number, any];
      const path = `/kv/${key}`;
      if (op.f === 'read') return readCompletion(await http.call('GET', path, undefined, signal), op.value, (b) => [key, registerValue(b)]);
      if (op.f === 'write') return writeCompletion(await http.call('PUT', path, { value: arg }, signal), op.value);
      if (op.f === 'cas') return writeCompletion(await http.call('POST', `${path}/cas`, { expected: arg[0], new: arg[1] }, signal), op.value);
      return { type: 'fail', value: op.value, error: `lww has no op ${op.f}` };
    },
    sync: (signal) => requestSync(http, signal),
    finalRead(signal) {
      return finalReadOf(http, signal, async () => {
        const registers: Record<string, unknown> = {};
        for (let k = 0; k < keyCount; k++) {
          const r = await http.call('GET', `/kv/${k}`, undefined, signal);
          if (r.kind !== 'ok') return r;
          try { registers[k] = registerValue(r.body); } catch (e) { return { kind: 'unknown', error: `bad answer: ${(e as Error).message}` }; }
        }
        return { kind: 'ok', status: 200, body: null, state: { registers } };
      });
    },
    async close() { http.close(); },
  };
}
