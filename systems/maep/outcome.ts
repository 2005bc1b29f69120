import type { HttpOutcome } from '../http-json.ts';
import type { Completion } from '../../api/workload.ts';

/** an op that changes state: refused → fail, unknown → info (it may have happened) */
export function writeCompletion(r: HttpOutcome, okValue: unknown): Completion {
  if (r.kind === 'ok') return { type: 'ok', value: okValue };
  if (r.kind === 'refused') return { type: 'fail', value: okValue, error: r.error };
  return { type: 'info', value: okValue, error: r.error };
}

/**
 * A read changes nothing, so a read whose answer never came certainly had no effect: fail, not
 * info (Jepsen's usual choice). That also keeps the worker's process alive.
 */
export function readCompletion(r: HttpOutcome, invokeValue: unknown, toValue: (body: any) => unknown): Completion {
  if (r.kind === 'ok') {
    try { return { type: 'ok', value: toValue(r.body) }; } catch (e) { return { type: 'fail', value: invokeValue, error: `bad answer: ${(e as Error).message}` }; }
  }
  return { type: 'fail', value: invokeValue, error: r.error };
}
