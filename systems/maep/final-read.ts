import type { JsonClient, HttpOutcome } from '../http-json.ts';
import type { Completion } from '../../api/workload.ts';
import type { FinalRead } from '../../api/history.ts';

/**
 * A final read: the workload's whole view of one node plus the node's Merkle root as the digest,
 * asked after the state so that equal roots on every node mean the states read were taken from
 * equal sets.
 */
export async function finalReadOf(http: JsonClient, signal: AbortSignal, readState: () => Promise<HttpOutcome & { state?: unknown }>): Promise<Completion> {
  const s = await readState();
  if (s.kind !== 'ok') return { type: 'fail', value: null, error: s.error };
  const st = await http.call('GET', '/admin/status', undefined, signal);
  if (st.kind !== 'ok') return { type: 'fail', value: null, error: `status: ${st.error}` };
  const value: FinalRead = { state: s.state, digest: String(st.body?.merkleRoot ?? '') };
  return { type: 'ok', value };
}

/** POST /admin/sync: maep starts anti-entropy with its peers at once (speeds up the final reads) */
export async function requestSync(http: JsonClient, signal: AbortSignal): Promise<void> {
  await http.call('POST', '/admin/sync', {}, signal);
}
