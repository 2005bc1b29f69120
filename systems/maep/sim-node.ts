/**
 * maep's core on a simulated host: what node/shell/server.ts does around the core (the log and
 * its fsync policy, the durability barrier, carrying Effects, /admin/sync), minus sockets and
 * real timers. The node's flags come from --node-args exactly as a real node parses them
 * (node/config.ts), so every --unsafe-* switch and --fsync policy applies here too.
 */
import type { SimHost, SimNode } from '../../api/sim.ts';
import type { SystemRun } from '../../api/system.ts';
import { Replica, defaultReplicaOptions, type ClientReply, type ClientRequest, type Effects } from '../../node/core/replica.ts';
import type { Message } from '../../node/core/messages.ts';
import type { Op } from '../../node/core/ops.ts';
import { loadConfig, type NodeConfig } from '../../node/config.ts';
import { OpLog, decodeOpRecord, OP_RECORD_FIRST_BYTE } from '../../node/storage/log.ts';
import { parseRecords } from '../../node/storage/records.ts';
import { encodedOpBytes, makeAdmit } from '../../node/wire/admission.ts';
import { workloadArgs } from './launch.ts';

/** a client request as the simulated client sends it: the core's own, or /admin/sync */
export type MaepSimRequest = ClientRequest | { t: 'sync' };

/** the node's config from the run's --node-args, as node/main.ts would parse them */
export function simNodeConfig(id: string, peers: readonly string[], run: Pick<SystemRun, 'workload' | 'nodeArgs'>): NodeConfig {
  const addr = (n: string, port: number) => `sim-${n}:${port}`;
  const cfg = loadConfig([
    '--id', id, '--listen', addr(id, 7000), '--http', addr(id, 8000),
    ...(peers.length ? ['--peers', peers.map((p) => `${p}@${addr(p, 7000)}`).join(',')] : []),
    ...workloadArgs(run), ...run.nodeArgs,
  ], () => { throw new Error('--config files are not read in the simulator'); });
  if ('help' in cfg) throw new Error('--node-args: --help is not a node setting');
  if (run.nodeArgs.some((a) => a === '--compact-after' || a.startsWith('--compact-after='))) throw new Error('--node-args: --compact-after is not simulated yet (the simulated disk is one log file, with no snapshot); drop it, or use a real runtime');
  return cfg;
}

/**
 * An op's log record (OpLog.encode), encoded once: the simulated network hands the same op object
 * to every receiver (nothing is decoded), so without this each of N nodes would pack and checksum
 * it again. Ops are never changed once made, and the disk copies what it is given.
 */
const records = new WeakMap<Op, Buffer>();
function logRecord(op: Op): Buffer {
  let r = records.get(op);
  if (r === undefined) { r = OpLog.encode(op); records.set(op, r); }
  return r;
}

export function bootMaep(host: SimHost, run: SystemRun): SimNode {
  const cfg = simNodeConfig(host.id, host.peers, run);
  const policy = cfg.unsafe.noFsync ? 'unsafe-buffered' : cfg.fsync;
  const disk = host.disk;

  // recovery, as OpLog.open: every valid record is kept, a torn tail is cut
  const buf = Buffer.from(disk.read());
  const parsed = parseRecords(buf, (b) => b === OP_RECORD_FIRST_BYTE);
  const recovered: Op[] = [];
  for (const rec of parsed.records) { const op = decodeOpRecord(rec); if (op) recovered.push(op); }
  if (parsed.tornTail > 0) { disk.truncate(buf.length - parsed.tornTail); host.log(`dropped a torn tail of ${parsed.tornTail} bytes`); }
  if (recovered.length) host.log(`recovered ${recovered.length} records`);

  const core = new Replica(defaultReplicaOptions(cfg.id, {
    advertise: cfg.listen, seeds: cfg.peers, accounts: cfg.accounts, initialBalance: cfg.initialBalance,
    heartbeatIntervalMs: cfg.heartbeatIntervalMs, antiEntropyIntervalMs: cfg.antiEntropyIntervalMs, phi: cfg.phi,
    merkleDepth: cfg.merkleDepth, admit: makeAdmit(cfg.maxValueBytes), opBytes: encodedOpBytes,
    maxSeqJump: cfg.maxSeqJump, maxOrigins: cfg.maxOrigins, maxPeers: cfg.maxPeers, forgetPeerAfterMs: cfg.forgetPeerAfterMs,
    // the simulated disk is one log file: no snapshot file or log rewrite yet, so no compaction
    // (with none, no node ever sends or installs a snapshot either)
    compactAfterOps: 0,
    unsafe: { noCausalDelivery: cfg.unsafe.noCausalDelivery, noAntiEntropy: cfg.unsafe.noAntiEntropy, lwwNoTiebreak: cfg.unsafe.lwwNoTiebreak },
  }), { wallNow: host.wallNow, monoNow: host.monoNow, random: host.random });
  core.restore(recovered);

  // --- the log with its policy, and the durability barrier (server.ts: afterDurable)
  let appended = 0;
  let durable = 0;
  const outbox: { gen: number; fn: () => void }[] = [];
  let buffered: Buffer[] = [];
  const flushOutbox = () => { while (outbox.length && outbox[0]!.gen <= durable) outbox.shift()!.fn(); };
  const append = (ops: readonly Op[]) => {
    if (ops.length === 0) return;
    const bytes = ops.length === 1 ? logRecord(ops[0]!) : Buffer.concat(ops.map(logRecord));
    const gen = ++appended;
    if (policy === 'unsafe-buffered') { buffered.push(bytes); durable = gen; return; }
    disk.write(bytes);
    if (policy === 'always') disk.sync(() => { durable = Math.max(durable, gen); flushOutbox(); });
    else durable = gen; // interval / never: acknowledged after write(2)
  };
  /** fn once every op appended so far is as durable as the policy promises, in order */
  const afterDurable = (fn: () => void) => {
    if (outbox.length === 0 && durable >= appended) fn();
    else outbox.push({ gen: appended, fn });
  };
  if (policy === 'interval') {
    const every = () => { disk.sync(() => {}); host.after(100, every); };
    host.after(100, every);
  }
  if (policy === 'unsafe-buffered') {
    // maep's testing aid: records sit in memory and are written once a second (never synced)
    const every = () => { if (buffered.length) { disk.write(Buffer.concat(buffered)); buffered = []; } host.after(1000, every); };
    host.after(1000, every);
  }

  const syncWaiters = new Map<number, (r: { repaired: number; ok: boolean }) => void>();
  const carry = (fx: Effects, replyTo?: string) => {
    append(fx.persist);
    for (const ev of fx.events) {
      if (ev.type === 'log' && ev.level !== 'debug') host.log(`${ev.level} ${ev.text}`);
      else if (ev.type === 'sync-done') { syncWaiters.get(ev.session)?.({ repaired: ev.repaired, ok: ev.ok }); syncWaiters.delete(ev.session); }
    }
    if ((fx.replies.length && replyTo !== undefined) || fx.sends.length) {
      afterDurable(() => {
        if (replyTo !== undefined) for (const m of fx.replies) host.send(replyTo, m);
        for (const s of fx.sends) host.send(s.to, s.msg);
      });
    }
  };

  const client = (req: ClientRequest, reply: (a: ClientReply) => void) => {
    const { reply: r, fx } = core.client(req);
    if (req.t === 'status') r.body.logCorruption = null;
    carry(fx);
    // a write answers once its op is durable; a read once what it reveals is
    afterDurable(() => reply(r));
  };

  const sync = (reply: (a: ClientReply) => void) => {
    if (cfg.unsafe.noAntiEntropy) { reply({ status: 200, body: { ok: true, repaired: 0, disabled: 'anti-entropy is off (--unsafe-no-anti-entropy)' } }); return; }
    const { sessions, fx } = core.syncNow();
    const results: { repaired: number; ok: boolean }[] = [];
    let left = sessions.length;
    const done = () => {
      const repaired = results.reduce((a, r) => a + r.repaired, 0);
      reply({ status: 200, body: { ok: true, repaired, peers: sessions.length, complete: results.filter((r) => r.ok).length } });
    };
    for (const s of sessions) {
      const settle = (r: { repaired: number; ok: boolean }) => { results.push(r); if (--left === 0) done(); };
      syncWaiters.set(s, settle);
      // a client waits at most 5 s, as on a real node
      host.after(5000, () => { if (syncWaiters.delete(s)) settle({ repaired: 0, ok: false }); });
    }
    carry(fx);
    if (sessions.length === 0) done();
  };

  return {
    receive: (from, msg) => carry(core.receive(from, msg as Message), from),
    linkUp: (peer) => carry(core.peerConnected(peer)),
    tick: () => carry(core.tick()),
    request: (req, reply) => {
      const r = req as MaepSimRequest;
      if (r.t === 'sync') sync(reply); else client(r, reply);
    },
  };
}
