import { Etcd3, EtcdError, GRPCGenericError, type IOptions } from 'etcd3';
import { noop } from 'cockatiel';
import type { NodeEndpoint } from '../../api/runtime.ts';
import type { Completion } from '../../api/workload.ts';

/**
 * A client bound to one member, with no retries: a Jepsen client must see every failure as it
 * happened (a retried write after a timeout could apply twice) and must not drift to another
 * member (serializable reads are only stale when asked of a member that is behind).
 */
export function connect(node: NodeEndpoint, timeoutMs: number): Etcd3 {
  const options: IOptions = {
    hosts: `http://${node.host}:${node.ports.client}`,
    dialTimeout: timeoutMs,
    faultHandling: { host: () => noop, global: noop },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeoutMs }),
  };
  return new Etcd3(options);
}

/**
 * A failed call: a read changed nothing, so it is a fail; a write may have been applied when the
 * call timed out, lost its leader or its connection, so it is info.
 */
export function failure(e: unknown, value: unknown, isRead: boolean): Completion {
  const error = describe(e);
  return { type: isRead ? 'fail' : 'info', value, error };
}

function describe(e: unknown): string {
  if (e instanceof GRPCGenericError || e instanceof EtcdError) return `${e.constructor.name}: ${e.message.split('\n')[0]}`;
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

/** a JSON value as etcd stores it, and back */
export const encode = (v: unknown): string => JSON.stringify(v);
export function decode(s: string | null): unknown {
  return s === null ? null : JSON.parse(s);
}
