import { httpJson, type HttpOutcome } from './http.ts';
import type { Completion } from '../api/workload.ts';

/**
 * A final read: the workload's whole view of one node plus the node's Merkle root, asked after
 * the state so that equal roots on every node mean the states read were taken from equal sets.
 */
export async function finalReadOf(base: string, signal: AbortSignal, timeoutMs: number, readState: () => Promise<HttpOutcome & { state?: unknown }>): Promise<Completion> {
  const s = await readState();
  if (s.kind !== 'ok') return { type: 'fail', value: null, error: s.error };
  const st = await httpJson('GET', `${base}/admin/status`, undefined, signal, timeoutMs);
  if (st.kind !== 'ok') return { type: 'fail', value: null, error: `status: ${st.error}` };
  return { type: 'ok', value: { state: s.state, merkleRoot: String(st.body?.merkleRoot ?? '') } };
}
