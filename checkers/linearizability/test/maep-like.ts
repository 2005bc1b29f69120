import type { Op, OpInput } from '../../../api/history.ts';
import { Rng } from '../../../api/rng.ts';

/**
 * A synthetic history shaped like the lww workload against maep: two replicas of last-writer-wins
 * registers, replication after a short random delay, and a partition in the middle during which
 * nothing replicates, client ops on the far side time out (info) some of the time, and reads on
 * each side see only their side's writes. Values are unique counters, as the workload writes them.
 * After the partition heals the replicas converge. Stale reads make such histories non-linearizable.
 * With `replicas: 1` every op goes to one register store and the history is linearizable.
 */
export function maepLikeHistory(seed: number, opsCount: number, { keys = 3, clients = 6, partition = [0.3, 0.6], replicas = 2 } = {}): Op[] {
  const rng = new Rng(seed);
  const nodes = [new Map<number, [number, number]>(), new Map<number, [number, number]>()]; // key → [value, timestamp]
  const inFlight: { at: number; node: number; key: number; value: number; ts: number }[] = [];
  const entries: OpInput[] = [];
  const free: number[] = Array.from({ length: clients }, (_, i) => i);
  const open: { process: number; done: number; complete: OpInput }[] = [];
  let next = 1;
  let processSeq = clients;
  let invoked = 0;
  const cutAt = [Math.floor(opsCount * partition[0]!), Math.floor(opsCount * partition[1]!)];
  const apply = (node: number, key: number, value: number, ts: number) => {
    const cur = nodes[node]!.get(key);
    if (!cur || cur[1] < ts || (cur[1] === ts && cur[0] < value)) nodes[node]!.set(key, [value, ts]);
  };
  for (let t = 0; t < opsCount * 2; t++) {
    const cut = t >= cutAt[0]! && t < cutAt[1]!;
    for (const m of inFlight.filter((m) => m.at <= t && !cut)) apply(m.node, m.key, m.value, m.ts);
    for (let i = inFlight.length - 1; i >= 0; i--) if (inFlight[i]!.at <= t && !cut) inFlight.splice(i, 1);
    for (let i = open.length - 1; i >= 0; i--) {
      if (open[i]!.done > t) continue;
      entries.push(open[i]!.complete);
      const p = open[i]!.complete.process as number;
      free.push(open[i]!.complete.type === 'info' ? (processSeq++) : p);
      open.splice(i, 1);
    }
    if (invoked >= opsCount || free.length === 0 || rng.next() < 0.3) continue;
    invoked++;
    const process = free.splice(rng.int(0, free.length - 1), 1)[0]!;
    const node = rng.int(0, replicas - 1);
    const key = rng.int(0, keys - 1);
    const timeout = cut && node === replicas - 1 && rng.next() < 0.3;
    const done = t + rng.int(1, 4);
    if (rng.next() < 0.5) {
      entries.push({ process, type: 'invoke', f: 'read', value: [key, null], node: `n${node + 1}` });
      const v = nodes[node]!.get(key)?.[0] ?? null;
      open.push({ process, done, complete: { process, type: timeout ? 'info' : 'ok', f: 'read', value: timeout ? [key, null] : [key, v], node: `n${node + 1}` } });
    } else {
      const value = next++;
      entries.push({ process, type: 'invoke', f: 'write', value: [key, value], node: `n${node + 1}` });
      const applied = !timeout || rng.next() < 0.5;
      if (applied) {
        apply(node, key, value, t);
        inFlight.push({ at: t + rng.int(1, 3), node: 1 - node, key, value, ts: t });
      }
      open.push({ process, done, complete: { process, type: timeout ? 'info' : 'ok', f: 'write', value: [key, value], node: `n${node + 1}` } });
    }
  }
  return entries.map((e, i) => ({ ...e, index: i, time: i * 1000 }));
}
