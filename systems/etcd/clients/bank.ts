import type { Etcd3 } from 'etcd3';
import type { Client, ClientContext } from '../../../api/client.ts';
import type { WorkloadInstance } from '../../../api/workload.ts';
import { connect, failure } from '../connection.ts';

const PREFIX = 'a/';
const key = (account: number) => `${PREFIX}${account}`;
/** how often a transfer re-reads and retries when another transfer changed its accounts first */
const TRANSFER_TRIES = 5;

async function balances(etcd: Etcd3): Promise<Record<string, number>> {
  const all = await etcd.getAll().prefix(PREFIX).strings();
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k.slice(PREFIX.length), Number(v)]));
}

/** one txn, run once per run before any op: every account gets the initial balance unless it has one */
export async function initialBalances(etcd: Etcd3, workload: WorkloadInstance): Promise<void> {
  const n = workload.params.accounts as number;
  const initial = String(workload.params['initial-balance']);
  const accounts = Array.from({ length: n }, (_, i) => i);
  let txn = etcd.if(key(0), 'Version', '==', 0);
  for (const a of accounts.slice(1)) txn = txn.and(key(a), 'Version', '==', 0);
  await txn.then(...accounts.map((a) => etcd.put(key(a)).value(initial))).commit();
}

/**
 * bank on etcd: a read is one range over every account (one revision, a consistent snapshot); a
 * transfer reads both balances, refuses (fail) when the source lacks the amount, and writes both in
 * one txn that holds only if neither account changed since (their mod revisions).
 */
export function bankClient(ctx: ClientContext): Client {
  const etcd = connect(ctx.node, ctx.timeoutMs);
  return {
    async invoke(op) {
      try {
        if (op.f === 'read') return { type: 'ok', value: await balances(etcd) };
        if (op.f !== 'transfer') return { type: 'fail', value: op.value, error: `bank has no op ${op.f}` };
        const { from, to, amount } = op.value as { from: number; to: number; amount: number };
        for (let i = 0; i < TRANSFER_TRIES; i++) {
          const [a, b] = await Promise.all([etcd.get(key(from)).exec(), etcd.get(key(to)).exec()]);
          const fa = a.kvs[0], tb = b.kvs[0];
          if (!fa || !tb) return { type: 'fail', value: op.value, error: 'no such account' };
          const fromBalance = Number(fa.value.toString());
          if (fromBalance < amount) return { type: 'fail', value: op.value, error: `insufficient funds: ${fromBalance}` };
          const r = await etcd.if(key(from), 'Mod', '==', fa.mod_revision).and(key(to), 'Mod', '==', tb.mod_revision)
            .then(etcd.put(key(from)).value(String(fromBalance - amount)), etcd.put(key(to)).value(String(Number(tb.value.toString()) + amount)))
            .commit();
          if (r.succeeded) return { type: 'ok', value: op.value };
        }
        return { type: 'fail', value: op.value, error: `the accounts kept changing: gave up after ${TRANSFER_TRIES} tries` };
      } catch (e) { return failure(e, op.value, op.f === 'read'); }
    },
    async finalRead() {
      try { return { type: 'ok', value: { state: { balances: await balances(etcd) } } }; } catch (e) { return failure(e, null, true); }
    },
    async close() { etcd.close(); },
  };
}
