/**
 * One running maep node: wires the pure core to its clock, the on-disk log, TCP peers, the HTTP
 * API, metrics and a tick timer, and carries out the core's Effects. Usable in-process (tests,
 * benchmarks) as well as from node/main.ts.
 */
import type http from 'node:http';
import { Replica, defaultReplicaOptions, type ClientReply, type ClientRequest, type Effects } from '../core/replica.ts';
import type { Message } from '../core/messages.ts';
import type { OpLog } from '../storage/log.ts';
import { openData } from '../storage/open-data.ts';
import { writeSnapshot } from '../storage/snapshot-file.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { NodeConfig } from '../config.ts';
import { NodeClock } from './clock.ts';
import { createHttpServer, listenHttp, MAX_BODY_BYTES } from './http.ts';
import { NodeMetrics } from './metrics.ts';
import { PeerNet } from './peers.ts';
import { DEFAULT_MAX_FRAME } from '../wire/frame.ts';
import { encodedOpBytes, makeAdmit } from '../wire/admission.ts';
import { RateLimitedLog } from './rate-log.ts';
import { ClusterKey } from './auth.ts';
import { readFileSync } from 'node:fs';

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface RunningNode {
  readonly id: string;
  readonly httpAddr: string;
  readonly peerAddr: string;
  readonly core: Replica;
  close(): Promise<void>;
}

export async function startNode(cfg: NodeConfig, logSink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<RunningNode> {
  const log = (level: LogLevel, text: string) => {
    if (LEVELS[level] <= LEVELS[cfg.logLevel]) logSink(`${new Date().toISOString()} ${cfg.id} ${level} ${text}`);
  };
  let clusterKey: ClusterKey | undefined;
  if (cfg.clusterKeyFile) clusterKey = ClusterKey.fromFile(cfg.clusterKeyFile);
  // one loud line whatever the log level: anyone who can reach the peer port can join and write
  else logSink(`${new Date().toISOString()} ${cfg.id} warn WARNING: no --cluster-key-file: peer links are UNAUTHENTICATED; anyone who can reach ${cfg.listen} can join the cluster and inject operations`);
  let clientToken = cfg.clientToken;
  if (cfg.clientTokenFile) {
    try { clientToken = readFileSync(cfg.clientTokenFile, 'utf8').trim(); } catch (e) { throw new Error(`cannot read --client-token-file ${cfg.clientTokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    if (!clientToken) throw new Error(`--client-token-file ${cfg.clientTokenFile} is empty`);
  }
  const clock = new NodeClock(cfg.clockOffsetFile, (m) => log('warn', m));
  let core!: Replica;
  const metrics = new NodeMetrics(() => core, true);

  let opLog: OpLog | null = null;
  let recovered: import('../core/ops.ts').Op[] = [];
  let logCorruption: import('../storage/log.ts').Corruption | null = null;
  let snapshot: Snapshot | null = null;
  if (cfg.data) {
    const policy = cfg.unsafe.noFsync ? 'unsafe-buffered' : cfg.fsync;
    let opened;
    try { opened = await openData(cfg.data, policy, cfg.unsafe.truncateOnCorruption); } catch (e) {
      throw new Error(`cannot use --data ${cfg.data}: ${(e as Error).message}`);
    }
    const { log: l, recovery } = opened;
    opLog = l;
    recovered = recovery.ops;
    snapshot = opened.snapshot?.snapshot ?? null;
    metrics.snapshotBytes = opened.snapshot?.bytes ?? 0;
    for (const w of opened.warnings) logSink(`${new Date().toISOString()} ${cfg.id} error ${w}`);
    logCorruption = recovery.corruption;
    const c = recovery.corruption;
    if (c) {
      metrics.logCorruptRegions.inc(c.regions);
      metrics.logCorruptBytes.inc(c.bytes);
      // loud at every log level: acknowledged ops may be missing until anti-entropy repairs them
      logSink(`${new Date().toISOString()} ${cfg.id} error LOG CORRUPTION in ${cfg.data}/ops.log: ${c.regions} damaged region(s), ${c.bytes} bytes, first at offset ${c.firstOffset}; skipped them and kept ${c.keptAfter} valid records after; a copy of the damaged file is ${c.copy}; the missing ops will be repaired from peers by anti-entropy`);
    }
    if (recovery.records > 0 || recovery.droppedBytes > 0) {
      log('info', `recovered ${recovery.records} records from ${cfg.data}` + (recovery.droppedBytes > 0 ? `, dropped a torn tail of ${recovery.droppedBytes} bytes` : '') + (recovery.badRecords > 0 ? `, skipped ${recovery.badRecords} undecodable records` : ''));
    }
  } else {
    log('warn', 'no --data directory: operations live in memory only and a restart loses them');
  }

  core = new Replica(defaultReplicaOptions(cfg.id, {
    advertise: cfg.listen, seeds: cfg.peers, accounts: cfg.accounts, initialBalance: cfg.initialBalance,
    heartbeatIntervalMs: cfg.heartbeatIntervalMs, antiEntropyIntervalMs: cfg.antiEntropyIntervalMs, phi: cfg.phi,
    merkleDepth: cfg.merkleDepth,
    admit: makeAdmit(cfg.maxValueBytes), opBytes: encodedOpBytes,
    maxSeqJump: cfg.maxSeqJump, maxOrigins: cfg.maxOrigins, maxPeers: cfg.maxPeers, forgetPeerAfterMs: cfg.forgetPeerAfterMs,
    // compaction rewrites the log; without --data there is nothing to rewrite, but memory is still bounded
    compactAfterOps: cfg.compactAfterOps,
    unsafe: { noCausalDelivery: cfg.unsafe.noCausalDelivery, noAntiEntropy: cfg.unsafe.noAntiEntropy, lwwNoTiebreak: cfg.unsafe.lwwNoTiebreak },
  }), { wallNow: () => clock.wallNow(), monoNow: () => clock.monoNow(), random: Math.random });
  if (snapshot) {
    const problem = core.loadSnapshot(snapshot);
    if (problem) { await opLog?.close(); throw new Error(`cannot use ${cfg.data}/snapshot.bin: ${problem}; start with the settings it was written with`); }
    log('info', `loaded a snapshot of ${core.compactedOpCount()} ops from ${cfg.data}/snapshot.bin`);
    snapshot = null;
  }
  core.restore(recovered);
  recovered = [];

  const rejectLog = new RateLimitedLog((text) => log('warn', text));
  const syncWaiters = new Map<number, (r: { repaired: number; ok: boolean }) => void>();
  let syncRoundsCounted = 0;

  /**
   * Durability barrier: resolves once every op appended so far is as durable as --fsync promises
   * (appends complete in order, so the latest one stands for all). Nothing leaves this node before
   * the ops it may reveal are durable: read answers wait for the barrier taken when they were
   * computed, and peer messages go out through one ordered outbox behind it. So a reader (or a
   * peer) never sees a write that a SIGKILL could still take back.
   */
  let lastAppend: Promise<void> = Promise.resolve();
  let outbox: Promise<void> = Promise.resolve();
  const afterDurable = (f: () => void) => {
    const barrier = lastAppend;
    outbox = outbox.then(() => barrier.catch(() => {})).then(f);
  };

  /**
   * A compaction (or a peer's snapshot installed): the snapshot is made durable first (written
   * atomically, synchronously), then the log is rewritten to hold only the ops still held. Until
   * both are done nothing the snapshot reveals leaves the node (it joins the durability barrier).
   * If the snapshot cannot be written the log is left whole: nothing is lost, only not compacted.
   */
  const compactDisk = (s: Snapshot): Promise<void> => {
    if (!opLog || !cfg.data) return Promise.resolve();
    try {
      metrics.snapshotBytes = writeSnapshot(cfg.data, s);
    } catch (e) {
      log('error', `writing ${cfg.data}/snapshot.bin failed (${(e as Error).message}); ops.log keeps every op`);
      return Promise.resolve();
    }
    const replaced = opLog.replaceWith(s.frontier, core.allOps());
    replaced.catch((e: Error) => log('error', `rewriting the log after compaction failed: ${e.message}`));
    return replaced;
  };

  /** persist, then events, sends and replies; resolves once the persisted ops are durable */
  const carry = (fx: Effects, reply?: (m: Message) => void): Promise<void> => {
    const appended = opLog ? opLog.append(fx.persist) : Promise.resolve();
    const durable = fx.snapshot ? Promise.all([appended, compactDisk(fx.snapshot)]).then(() => {}) : appended;
    durable.catch((e: Error) => log('error', `writing the log failed: ${e.message}`));
    if (fx.persist.length > 0 || fx.snapshot) lastAppend = durable;
    for (const ev of fx.events) {
      switch (ev.type) {
        case 'log': log(ev.level, ev.text); break;
        case 'peer-added': peers.ensureDial(ev.id, ev.addr); break;
        case 'peer-removed': peers.forget(ev.id); break;
        case 'rejected': metrics.rejectedOps.inc({ reason: ev.reason }); rejectLog.line(ev.reason, ev.text); break;
        case 'repaired': metrics.repaired.inc(ev.n); break;
        case 'sync-done': syncWaiters.get(ev.session)?.({ repaired: ev.repaired, ok: ev.ok }); syncWaiters.delete(ev.session); break;
      }
    }
    const rounds = core.counters.syncRounds;
    if (rounds > syncRoundsCounted) { metrics.syncRounds.inc(rounds - syncRoundsCounted); syncRoundsCounted = rounds; }
    // a peer never holds an op this node could still forget (with --unsafe-no-fsync it can
    // anyway: that is the point of it)
    if ((fx.replies.length && reply) || fx.sends.length) {
      afterDurable(() => {
        if (reply) for (const m of fx.replies) reply(m);
        for (const s of fx.sends) peers.send(s.to, s.msg);
      });
    }
    return durable;
  };

  const peers = new PeerNet({
    selfId: cfg.id,
    advertise: cfg.listen,
    metrics,
    log: (level, text) => log(level, text),
    onMessage: (from, msg, reply) => { void carry(core.receive(from, msg), reply); },
    onConnected: (peer) => { void carry(core.peerConnected(peer)); },
    onHello: (id, addr) => { void carry(core.notePeer(id, addr)); },
  }, {
    maxFrameBytes: DEFAULT_MAX_FRAME,
    writeBufferLimit: 64 * 1024 * 1024,
    deadAfterMs: Math.max(2000, cfg.heartbeatIntervalMs * 10),
    handshakeTimeoutMs: 2000,
    idleTimeoutMs: Math.max(10_000, cfg.heartbeatIntervalMs * 20),
    clusterKey,
    maxUnauthenticated: 128,
  });

  const handleClient = async (req: ClientRequest): Promise<ClientReply> => {
    const { reply, fx } = core.client(req);
    if (req.t === 'status') { reply.body.logCorruption = logCorruption; reply.body.snapshotBytes = metrics.snapshotBytes; reply.body.peerRefusals = peers.refusals(); }
    if (fx.persist.length === 0) {
      // a read: answer only once what it reveals is durable
      try { await lastAppend; } catch (e) {
        return { status: 503, body: { error: `the state read includes writes that could not be made durable (${(e as Error).message})` } };
      }
      return reply;
    }
    if (reply.status === 200 && fx.persist.length > 0) {
      for (const op of fx.persist) metrics.ops.inc({ kind: op.kind });
    }
    try {
      await carry(fx);
    } catch (e) {
      return { status: 503, body: { error: `the write was applied in memory but could not be made durable (${(e as Error).message}); its outcome is unknown` } };
    }
    return reply;
  };

  const handleSync = async (): Promise<ClientReply> => {
    if (cfg.unsafe.noAntiEntropy) return { status: 200, body: { ok: true, repaired: 0, disabled: 'anti-entropy is off (--unsafe-no-anti-entropy)' } };
    const { sessions, fx } = core.syncNow((peer) => peers.isConnected(peer));
    // a client waits at most 5 s; a session still running then goes on in the background
    const results = sessions.map((s) => new Promise<{ repaired: number; ok: boolean }>((r) => {
      syncWaiters.set(s, r);
      setTimeout(() => { if (syncWaiters.delete(s)) r({ repaired: 0, ok: false }); }, 5000).unref();
    }));
    void carry(fx);
    const done = await Promise.all(results);
    const repaired = done.reduce((a, r) => a + r.repaired, 0);
    return { status: 200, body: { ok: true, repaired, peers: sessions.length, complete: done.filter((r) => r.ok).length } };
  };

  let httpServer: http.Server | null = null;
  let ticker: NodeJS.Timeout | null = null;
  try {
    const peerAddr = await peers.listen(cfg.listen);
    httpServer = createHttpServer({
      // a body must be able to carry a value of the full cap (JSON may be larger than msgpack)
      maxBodyBytes: cfg.maxValueBytes > MAX_BODY_BYTES ? 2 * cfg.maxValueBytes : MAX_BODY_BYTES,
      client: handleClient,
      sync: handleSync,
      metrics: () => metrics.registry.metrics(),
      onRequest: (route, status) => metrics.requests.inc({ route, status: String(status) }),
      clientToken,
    });
    const httpAddr = await listenHttp(httpServer, cfg.http);
    for (const p of cfg.peers) if (p.id !== cfg.id) peers.ensureDial(p.id, p.addr);
    ticker = setInterval(() => { void carry(core.tick()); }, Math.max(10, Math.min(50, cfg.heartbeatIntervalMs / 4)));
    log('info', `maep ${cfg.id} ready http=${httpAddr} peer=${peerAddr}`);

    let closed = false;
    const srv = httpServer;
    return {
      id: cfg.id, httpAddr, peerAddr, core,
      async close() {
        if (closed) return;
        closed = true;
        if (ticker) clearInterval(ticker);
        for (const w of syncWaiters.values()) w({ repaired: 0, ok: false });
        syncWaiters.clear();
        await peers.close();
        srv.closeAllConnections();
        await new Promise<void>((r) => srv.close(() => r()));
        await opLog?.close();
      },
    };
  } catch (e) {
    if (ticker) clearInterval(ticker);
    await peers.close();
    httpServer?.close();
    await opLog?.close();
    throw e;
  }
}
