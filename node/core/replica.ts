/**
 * maep's pure core: a state machine fed with client requests, peer messages and timer ticks.
 * It owns no socket, timer or file: time and randomness come from `ReplicaEnv`, and every call
 * returns `Effects` (replies, messages to send, operations to persist, events to log) that the
 * shell (or a test's in-memory network, or the simulator) carries out.
 *
 * Durability contract with the shell: a client reply must only be released after the ops in the
 * same Effects' `persist` list are durable (per the fsync policy).
 */
import { DeltaPhase, type Message } from './messages.ts';
import { CompactedDigests, MerkleTree, DIGEST_BYTES, FANOUT } from './merkle.ts';
import { canonicalJson, makeOp, valueProblem, type Op, type OpKind } from './ops.ts';
import { PhiAccrual, defaultPhiOptions, type PhiOptions } from './phi.ts';
import { covers, frontierOps, type Snapshot } from './snapshot.ts';
import { FoldedState } from './state.ts';
import { TXN_OP_KEY, parseTxnOps, type TxnPayload } from './txn.ts';
import { SeqTracker, heldPrefixes, type OriginHoldings, type VersionVector } from './version-vector.ts';

export interface ReplicaOptions {
  id: string;
  /** this node's peer (TCP) address, advertised in JOIN */
  advertise: string;
  /** the --peers seed list */
  seeds: { id: string; addr: string }[];
  accounts: number;
  initialBalance: number;
  heartbeatIntervalMs: number;
  antiEntropyIntervalMs: number;
  phi: PhiOptions;
  merkleDepth: number;
  /** an anti-entropy session not finished after this long is abandoned */
  syncTimeoutMs: number;
  /** ops per PUSH/DELTA_SYNC frame, keeps frames well under the size limit */
  maxOpsPerMessage: number;
  /** encoded op bytes per DELTA_SYNC frame (a single larger op still goes, alone): large values
   *  must not add up to a frame over the 16 MiB limit that is then refused forever */
  maxBytesPerMessage: number;
  /** encoded size of an op (the shell passes the real msgpack size; the default over-estimates) */
  opBytes: (op: Op) => number;
  /**
   * Checked BEFORE a client write takes a sequence number: null, or the 4xx to answer. The shell
   * encodes the op here (size cap, exact round trip), so encoding can never fail after the op is
   * committed.
   */
  admit: (op: Op) => { status: number; error: string } | null;
  /** a received op whose seq (or whose context) is more than this beyond the highest seq held of
   *  that origin is rejected as implausible: it could never be delivered and would block the origin */
  maxSeqJump: number;
  /** origins (writers) this node accepts ops from; a fake-origin flood must not grow every op's vv */
  maxOrigins: number;
  /** members this node knows at most (seeds always count); further JOIN entries are ignored */
  maxPeers: number;
  /** a learnt (non-seed) peer not alive for this long is forgotten; 0 = never */
  forgetPeerAfterMs: number;
  /** a VV message lists at most this many holes per origin; beyond, the Merkle walk finds them */
  maxListedHoles: number;
  /** compact (fold away, see compactNow) once at least this many held ops are below the stable
   *  frontier; 0 = never */
  compactAfterOps: number;
  unsafe: { noCausalDelivery: boolean; noAntiEntropy: boolean; lwwNoTiebreak: boolean };
}

export function defaultReplicaOptions(id: string, over: Partial<ReplicaOptions> = {}): ReplicaOptions {
  const hb = over.heartbeatIntervalMs ?? 200;
  return {
    id, advertise: '', seeds: [], accounts: 8, initialBalance: 10, heartbeatIntervalMs: hb,
    antiEntropyIntervalMs: 1000, phi: defaultPhiOptions(hb), merkleDepth: 4, syncTimeoutMs: 10_000,
    maxOpsPerMessage: 2000, maxBytesPerMessage: 4 * 1024 * 1024, opBytes: estimateOpBytes,
    admit: defaultAdmit, maxSeqJump: 1_000_000, maxOrigins: 256, maxPeers: 64, forgetPeerAfterMs: 600_000,
    maxListedHoles: 4096, compactAfterOps: 20_000, unsafe: { noCausalDelivery: false, noAntiEntropy: false, lwwNoTiebreak: false },
    ...over,
  };
}

export interface ReplicaEnv {
  /** wall clock, ms since epoch: op timestamps only */
  wallNow(): number;
  /** monotonic ms: timers and failure detection */
  monoNow(): number;
  /** uniform [0, 1) */
  random(): number;
}

export type ReplicaEvent =
  | { type: 'log'; level: 'info' | 'warn' | 'debug'; text: string }
  | { type: 'peer-added'; id: string; addr: string }
  | { type: 'sync-done'; session: number; peer: string; repaired: number; ok: boolean }
  | { type: 'repaired'; n: number }
  | { type: 'peer-removed'; id: string }
  | { type: 'rejected'; reason: RejectReason; text: string };

/** why a received op was refused (a label of maep_ops_rejected_total) */
export type RejectReason = 'seq-jump' | 'context-jump' | 'origin-limit' | 'bad-context';

export interface Effects {
  /** to send back on the connection the triggering message arrived on */
  replies: Message[];
  /** to send to a peer over the connection this node dialed to it (dropped if none) */
  sends: { to: string; msg: Message }[];
  /** new operations to append to the log */
  persist: Op[];
  events: ReplicaEvent[];
  /** set when ops were compacted (or a peer's snapshot installed): the shell makes this snapshot
   *  durable, then rewrites the log to hold just allOps() as they are now */
  snapshot?: Snapshot;
}

export function noEffects(): Effects { return { replies: [], sends: [], persist: [], events: [] }; }

export type ClientRequest =
  | { t: 'put'; key: string; value: unknown }
  | { t: 'get'; key: string }
  | { t: 'cas'; key: string; expected: unknown; new: unknown }
  | { t: 'append'; key: string; value: unknown }
  | { t: 'history'; key: string }
  | { t: 'transfer'; from: number; to: number; amount: number }
  | { t: 'bank' }
  | { t: 'status' }
  /** POST /txn: `ops` as the client sent them (checked here, 400 naming the problem) */
  | { t: 'txn'; ops: unknown }
  /** GET /txn/:key, or every txn key (GET /txn) */
  | { t: 'txn-get'; key: string }
  | { t: 'txn-all' };

export interface ClientReply { status: number; body: Record<string, unknown> }

interface PeerState {
  id: string;
  addr: string;
  seed: boolean;
  detector: PhiAccrual;
  alive: boolean;
  /** monotonic ms it was last alive (or learnt): a learnt peer dead long enough is forgotten */
  lastAlive: number;
  /** per origin, the prefix of seqs it last reported holding (VV holdings); null until it reported */
  holds: VersionVector | null;
}

interface Session { id: number; peer: string; started: number; repaired: number }

export class Replica {
  readonly id: string;
  private readonly byId = new Map<string, Op>();
  /** first op seen per (origin, seq); a second op with the same pair (a node that lost its log
   *  reused a seq) is still kept in byId and found by the Merkle walk */
  private readonly bySeq = new Map<string, Op[]>();
  private readonly have = new SeqTracker();
  private merkle: MerkleTree;
  private state: FoldedState;
  /** the fold of the compacted ops alone (what a snapshot holds): seqs 1..compacted[origin] */
  private base: FoldedState;
  private compacted: VersionVector = {};
  /** snapshot() until the compacted part changes: a peer behind is sent it at every VV round */
  private snapshotCache: Snapshot | null = null;
  /** the compacted ids' share of the Merkle digests, per origin (the snapshot's Merkle part) */
  private compactedIds: CompactedDigests;
  private readonly visibleVV: VersionVector = {};
  private visibleCount = 0;
  /** received but causally not yet deliverable, per origin, by seq */
  private readonly pending = new Map<string, Map<number, Op[]>>();
  private pendingCount = 0;
  private pendingLow: Op[] = [];
  private nextSeq = 1;
  private readonly peers = new Map<string, PeerState>();
  private readonly sessions = new Map<number, Session>();
  private nextSession = 1;
  private lastHeartbeat = -Infinity;
  private lastAntiEntropy: number;
  private joined = false;
  private warnedPeerCap = false;
  /** counters the shell exports as metrics */
  readonly counters = { repaired: 0, syncRounds: 0, opsCreated: 0, opsReceived: 0, rejected: 0 };

  constructor(readonly opts: ReplicaOptions, private readonly env: ReplicaEnv) {
    this.id = opts.id;
    this.merkle = new MerkleTree(opts.merkleDepth);
    this.compactedIds = new CompactedDigests(opts.merkleDepth);
    this.state = new FoldedState(opts.accounts, opts.initialBalance, opts.unsafe.lwwNoTiebreak);
    this.base = new FoldedState(opts.accounts, opts.initialBalance, opts.unsafe.lwwNoTiebreak);
    for (const s of opts.seeds) if (s.id !== this.id) this.addPeer(s.id, s.addr, true);
    // first anti-entropy round one interval after start, not at once
    this.lastAntiEntropy = env.monoNow();
  }

  private addPeer(id: string, addr: string, seed: boolean): PeerState {
    const p: PeerState = { id, addr, seed, detector: new PhiAccrual(this.opts.phi, this.opts.heartbeatIntervalMs), alive: false, lastAlive: this.env.monoNow(), holds: null };
    this.peers.set(id, p);
    return p;
  }

  // ---------------------------------------------------------------- recovery

  /** load operations recovered from the log (no effects: they are already on disk) */
  restore(ops: Iterable<Op>): number {
    let n = 0;
    for (const op of ops) if (this.store(op)) { this.offer(op); n++; }
    return n;
  }

  /**
   * Load a snapshot (from DIR/snapshot.bin) into a fresh replica, before restore() of the log's
   * ops: those at or below its frontier are then skipped as held. null, or why this node cannot
   * take it (a setting that differs from the one it was written with).
   */
  loadSnapshot(snap: Snapshot): string | null {
    const problem = this.snapshotMismatch(snap);
    if (problem) return problem;
    this.adopt(snap, []);
    return null;
  }

  private snapshotMismatch(snap: Snapshot): string | null {
    if (snap.merkleDepth !== this.merkle.depth) return `it was written with --merkle-depth ${snap.merkleDepth}, this node runs with ${this.merkle.depth}`;
    if (snap.state.balances.length !== this.opts.accounts) return `it holds ${snap.state.balances.length} bank accounts, this node runs with --accounts ${this.opts.accounts}`;
    return null;
  }

  /** replace the compacted part by `snap` and fold `keep` (held ops above its frontier) on top */
  private adopt(snap: Snapshot, keep: Op[]): void {
    const lww = this.opts.unsafe.lwwNoTiebreak;
    this.compacted = { ...snap.frontier };
    this.snapshotCache = null;
    this.base = FoldedState.fromSnapshot(snap.state, lww);
    this.state = FoldedState.fromSnapshot(snap.state, lww);
    this.merkle = MerkleTree.fromCompacted(snap.merkleDepth, snap.merkle);
    this.compactedIds = CompactedDigests.fromPacked(snap.merkleDepth, snap.merkle);
    this.byId.clear(); this.bySeq.clear();
    this.pending.clear(); this.pendingCount = 0; this.pendingLow = [];
    for (const k of Object.keys(this.visibleVV)) delete this.visibleVV[k];
    Object.assign(this.visibleVV, snap.frontier);
    this.visibleCount = frontierOps(snap.frontier);
    for (const [o, n] of Object.entries(snap.frontier)) this.have.holdPrefix(o, n);
    if ((snap.frontier[this.id] ?? 0) >= this.nextSeq) this.nextSeq = snap.frontier[this.id]! + 1;
    for (const op of keep) if (this.store(op)) this.offer(op);
  }

  private isCompacted(op: Op): boolean { return op.seq <= (this.compacted[op.origin] ?? 0); }

  /** what a peer behind the compacted frontier is sent instead of the ops it lacks */
  snapshot(): Snapshot {
    return this.snapshotCache ??= { frontier: { ...this.compacted }, state: this.base.toSnapshot(), merkleDepth: this.merkle.depth, merkle: this.compactedIds.packed() };
  }

  /**
   * The stable frontier: per origin, the highest seq up to which this node sees the ops and every
   * peer it still counts on has reported holding them, so no such peer can ask for them again. A
   * peer not alive for --forget-peer-after stops counting (it will take a snapshot when it is
   * back); one that never reported holds everything back. Never below what is compacted already.
   */
  stableFrontier(): VersionVector {
    const now = this.env.monoNow();
    const out: VersionVector = { ...this.visibleVV };
    for (const p of this.peers.values()) {
      if (!p.alive && this.opts.forgetPeerAfterMs > 0 && now - p.lastAlive >= this.opts.forgetPeerAfterMs) continue;
      if (!p.holds) return { ...this.compacted };
      for (const o in out) out[o] = Math.min(out[o]!, p.holds[o] ?? 0);
    }
    for (const o in this.compacted) out[o] = Math.max(out[o] ?? 0, this.compacted[o]!);
    return out;
  }

  /**
   * Fold every held op at or below the stable frontier into the base and drop it from memory (its
   * id stays counted in the Merkle digests). Waits while a second op of an already visible
   * (origin, seq) is parked: it must become visible before its seq can be folded away.
   */
  private compactNow(fx: Effects): void {
    if (this.pendingLow.length > 0) return;
    const target = this.stableFrontier();
    let gain = 0;
    for (const o in target) gain += target[o]! - (this.compacted[o] ?? 0);
    if (gain < this.opts.compactAfterOps || gain === 0) return;
    const folded: Op[] = [];
    for (const op of this.byId.values()) if (op.seq <= (target[op.origin] ?? 0)) folded.push(op);
    // a causal order (Σvv grows along happens-before), as delivery applied them
    const sum = (op: Op) => { let n = 0; for (const k in op.vv) n += op.vv[k]!; return n; };
    const sums = new Map(folded.map((op) => [op, sum(op)]));
    folded.sort((a, b) => sums.get(a)! - sums.get(b)! || (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : a.seq - b.seq));
    for (const op of folded) { this.base.apply(op); this.compactedIds.add(op.origin, op.id); this.byId.delete(op.id); }
    for (const [origin, arr] of this.bySeq) {
      const f = target[origin] ?? 0;
      if (f <= (this.compacted[origin] ?? 0)) continue; // this origin's frontier did not move
      const rest: Op[] = [];
      for (let seq = f + 1; seq < arr.length; seq++) if (arr[seq]) rest[seq] = arr[seq]!;
      this.bySeq.set(origin, rest);
    }
    this.merkle.retainIds((id) => this.byId.has(id));
    this.compacted = target;
    this.snapshotCache = null;
    fx.snapshot = this.snapshot();
    fx.events.push({ type: 'log', level: 'info', text: `compacted ${folded.length} ops: ${frontierOps(target)} ops folded into the snapshot, ${this.byId.size} held` });
  }

  /**
   * A peer's snapshot, joined with this node's: per origin the further-compacted side wins (the
   * other's prefix is part of it), so the result stands for the per-origin max of both frontiers.
   * Held ops at or below it are dropped (the snapshot has them), the rest are folded on top again.
   */
  private installSnapshot(from: string, snap: Snapshot, fx: Effects): void {
    if (covers(this.compacted, snap.frontier)) return; // nothing new
    const problem = this.snapshotMismatch(snap);
    if (problem) {
      fx.events.push({ type: 'log', level: 'warn', text: `ignored the snapshot from ${from}: ${problem}` });
      return;
    }
    const bad = this.implausibleSnapshot(snap);
    if (bad) {
      this.counters.rejected++;
      fx.events.push({ type: 'rejected', reason: bad[0], text: `rejected the snapshot from ${from}: ${bad[1]}` });
      return;
    }
    const theirs = (o: string) => (snap.frontier[o] ?? 0) > (this.compacted[o] ?? 0);
    const frontier = { ...this.compacted };
    for (const o in snap.frontier) if (theirs(o)) frontier[o] = snap.frontier[o]!;
    this.base.absorb(snap.state, theirs);
    this.compactedIds.absorb(snap.merkle, theirs);
    this.compacted = frontier;
    this.snapshotCache = null;
    const keep = [...this.byId.values()].filter((op) => op.seq > (frontier[op.origin] ?? 0));
    const joined = this.snapshot();
    this.adopt(joined, keep);
    fx.snapshot = joined;
    fx.events.push({ type: 'log', level: 'info', text: `installed a snapshot from ${from} of ${frontierOps(snap.frontier)} ops; ${this.byId.size} ops held above it` });
  }

  /** note what a peer holds; if it lacks ops compacted here, the snapshot goes first */
  private peerHoldings(from: string, holdings: Record<string, OriginHoldings>, send: (m: Message) => void, s: number): void {
    const held = heldPrefixes(holdings);
    const p = this.peers.get(from);
    if (p) p.holds = held;
    if (!covers(held, this.compacted)) send({ type: 'SNAPSHOT', s, snapshot: this.snapshot() });
  }

  // ---------------------------------------------------------------- queries for the shell

  peerIds(): string[] { return [...this.peers.keys()]; }
  peerAddr(id: string): string | undefined { return this.peers.get(id)?.addr; }
  isAlive(id: string): boolean { return this.peers.get(id)?.alive ?? false; }
  /** ops held one by one (not compacted) */
  opCount(): number { return this.byId.size; }
  /** ops folded into the snapshot */
  compactedOpCount(): number { return frontierOps(this.compacted); }
  compactedFrontier(): VersionVector { return { ...this.compacted }; }
  visibleOpCount(): number { return this.visibleCount; }
  pendingOpCount(): number { return this.pendingCount; }
  merkleRoot(): string { return this.merkle.rootHex(); }
  merkleTree(): MerkleTree { return this.merkle; }
  versionVector(): VersionVector { return { ...this.visibleVV }; }
  /** the ops held one by one: every received op not compacted (the log's tail after a compaction) */
  allOps(): IterableIterator<Op> { return this.byId.values(); }
  hasOp(id: string): boolean { return this.byId.has(id); }
  /** the fold, for tests and the simulator */
  view(): FoldedState { return this.state; }

  // ---------------------------------------------------------------- client requests

  client(req: ClientRequest): { reply: ClientReply; fx: Effects } {
    const fx = noEffects();
    const reply = this.clientInner(req, fx);
    return { reply, fx };
  }

  private clientInner(req: ClientRequest, fx: Effects): ClientReply {
    switch (req.t) {
      case 'get':
        return ok({ key: req.key, value: this.state.read(req.key) });
      case 'put': {
        const op = this.create('put', req.key, { value: req.value }, fx);
        if (!('id' in op)) return op;
        return ok({ ok: true, id: op.id });
      }
      case 'cas': {
        const current = this.state.read(req.key);
        if (canonicalJson(current) !== canonicalJson(req.expected)) {
          return { status: 409, body: { error: `cas failed: key ${JSON.stringify(req.key)} holds ${canonicalJson(current)}, not the expected ${canonicalJson(req.expected)}`, current } };
        }
        const op = this.create('cas', req.key, { value: req.new }, fx);
        if (!('id' in op)) return op;
        return ok({ ok: true, id: op.id });
      }
      case 'append': {
        const links = this.state.historyHeads(req.key);
        const op = this.create('append', req.key, { value: req.value, links }, fx);
        if (!('id' in op)) return op;
        return ok({ ok: true, hash: op.id });
      }
      case 'history':
        return ok({ key: req.key, entries: this.state.shownHistory(req.key) });
      case 'transfer': {
        const n = this.opts.accounts;
        for (const [name, a] of [['from', req.from], ['to', req.to]] as const) {
          if (!Number.isSafeInteger(a) || a < 0) return { status: 400, body: { error: `"${name}" must be an account number (an integer 0..${n - 1}), got ${JSON.stringify(a)}` } };
          if (a >= n) return { status: 404, body: { error: `unknown account ${a} in "${name}": accounts are 0..${n - 1}` } };
        }
        if (!Number.isSafeInteger(req.amount) || req.amount <= 0) return { status: 400, body: { error: `"amount" must be a positive safe integer, got ${JSON.stringify(req.amount)}` } };
        if (req.from === req.to) return { status: 400, body: { error: `"from" and "to" are both account ${req.from}; a transfer needs two different accounts` } };
        const balance = this.state.balances[req.from]!;
        if (balance < req.amount) return { status: 409, body: { error: `insufficient funds: account ${req.from} has ${balance}, transfer needs ${req.amount}`, balance } };
        const op = this.create('transfer', 'bank', { from: req.from, to: req.to, amount: req.amount }, fx);
        if (!('id' in op)) return op;
        return ok({ ok: true });
      }
      case 'bank': {
        const balances: Record<string, number> = {};
        let total = 0;
        this.state.balances.forEach((b, i) => { balances[String(i)] = b; total += b; });
        return ok({ balances, total });
      }
      case 'txn': {
        const micro = parseTxnOps(req.ops);
        if (typeof micro === 'string') return { status: 400, body: { error: micro } };
        // reads and writes in this one step: atomic at this node; the writes replicate as one op
        const { results, writes } = this.state.txns.execute(micro);
        if (writes.length === 0) return ok({ ok: true, ops: results });
        const op = this.create('txn', TXN_OP_KEY, { writes } satisfies TxnPayload, fx);
        if (!('id' in op)) return op;
        return ok({ ok: true, ops: results, id: op.id });
      }
      case 'txn-get':
        return ok({ key: req.key, value: this.state.txns.read(req.key) });
      case 'txn-all': {
        const keys: Record<string, unknown> = {};
        for (const k of this.state.txns.keys()) keys[k] = this.state.txns.read(k);
        return ok({ keys });
      }
      case 'status': {
        const now = this.env.monoNow();
        const peers = [...this.peers.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((p) => ({
          id: p.id, alive: p.alive, suspect: !p.alive, phi: round2(p.detector.phi(now)),
        }));
        return ok({
          id: this.id, clock: this.env.wallNow(), peers, opCount: this.byId.size, visibleOpCount: this.visibleCount,
          pendingOpCount: this.pendingCount, versionVector: this.versionVector(), merkleRoot: this.merkle.rootHex(),
          compactedOpCount: this.compactedOpCount(), compactedFrontier: this.compactedFrontier(),
        });
      }
    }
  }

  /** create a local op: visible at once (its context is by construction visible), pushed to live peers */
  private create(kind: OpKind, key: string, payload: unknown, fx: Effects): Op | ClientReply {
    const seq = this.nextSeq;
    const vv = { ...this.visibleVV };
    if (seq > 1) vv[this.id] = seq - 1; else delete vv[this.id];
    const op = makeOp({ origin: this.id, seq, ts: this.env.wallNow(), vv, kind, key, payload });
    // refused before it takes the seq: a later op must never wait for one that was not committed
    const refused = this.opts.admit(op);
    if (refused) return { status: refused.status, body: { error: refused.error } };
    this.nextSeq++;
    this.store(op);
    this.offer(op);
    fx.persist.push(op);
    this.counters.opsCreated++;
    // one message object for every peer, so the shell can encode it once
    const push: Message = { type: 'PUSH', ops: [op] };
    for (const p of this.peers.values()) if (p.alive) fx.sends.push({ to: p.id, msg: push });
    return op;
  }

  // ---------------------------------------------------------------- op set and delivery

  /** add to the received set; false if already present */
  private store(op: Op): boolean {
    if (this.byId.has(op.id) || this.isCompacted(op)) return false;
    this.byId.set(op.id, op);
    this.merkle.insert(op.id);
    this.have.add(op.origin, op.seq);
    let arr = this.bySeq.get(op.origin);
    if (!arr) { arr = []; this.bySeq.set(op.origin, arr); }
    if (arr[op.seq] === undefined) arr[op.seq] = op;
    if (op.origin === this.id && op.seq >= this.nextSeq) this.nextSeq = op.seq + 1;
    return true;
  }

  private deliverable(op: Op): boolean {
    if ((this.visibleVV[op.origin] ?? 0) < op.seq - 1) return false;
    for (const k in op.vv) if (k !== op.origin && (this.visibleVV[k] ?? 0) < op.vv[k]!) return false;
    return true;
  }

  private makeVisible(op: Op): void {
    this.state.apply(op);
    this.visibleCount++;
    if ((this.visibleVV[op.origin] ?? 0) < op.seq) this.visibleVV[op.origin] = op.seq;
  }

  /** causal delivery: visible now if its context is visible, else parked until it is */
  private offer(op: Op): void {
    if (this.opts.unsafe.noCausalDelivery || this.deliverable(op)) {
      this.makeVisible(op);
      if (this.pendingCount > 0) this.drain();
      return;
    }
    this.pendingCount++;
    // a second op with an already-visible (origin, seq) — a node that lost its log — waits apart
    if (op.seq <= (this.visibleVV[op.origin] ?? 0)) { this.pendingLow.push(op); return; }
    let m = this.pending.get(op.origin);
    if (!m) { m = new Map(); this.pending.set(op.origin, m); }
    const list = m.get(op.seq);
    if (list) list.push(op); else m.set(op.seq, [op]);
  }

  /** deliver parked ops whose context became visible: per origin only the next seq can be ready */
  private drain(): void {
    let progress = true;
    while (progress && this.pendingCount > 0) {
      progress = false;
      for (const [origin, m] of this.pending) {
        for (;;) {
          const next = (this.visibleVV[origin] ?? 0) + 1;
          const list = m.get(next);
          if (!list) break;
          const rest = list.filter((op) => {
            if (!this.deliverable(op)) return true;
            this.makeVisible(op); this.pendingCount--; progress = true;
            return false;
          });
          if (rest.length === list.length) break;
          if (rest.length === 0) m.delete(next); else m.set(next, rest);
          // twins of an op that just became visible now wait below the prefix
          if (rest.length > 0 && (this.visibleVV[origin] ?? 0) >= next) { this.pendingLow.push(...rest); m.delete(next); }
        }
        if (m.size === 0) this.pending.delete(origin);
      }
      if (this.pendingLow.length > 0) {
        this.pendingLow = this.pendingLow.filter((op) => {
          if (!this.deliverable(op)) return true;
          this.makeVisible(op); this.pendingCount--; progress = true;
          return false;
        });
      }
    }
  }

  /** ingest ops from a peer; returns how many were new */
  private ingest(ops: Op[], fx: Effects): number {
    let n = 0;
    for (const op of ops) {
      if (this.byId.has(op.id) || this.isCompacted(op)) continue;
      const bad = this.implausible(op);
      if (bad) {
        this.counters.rejected++;
        fx.events.push({ type: 'rejected', reason: bad[0], text: `rejected op ${op.id} (${op.origin}#${op.seq}): ${bad[1]}` });
        continue;
      }
      if (!this.store(op)) continue;
      fx.persist.push(op);
      this.offer(op);
      n++;
    }
    this.counters.opsReceived += n;
    return n;
  }

  /**
   * Why a received op cannot be genuine, or null. The bound is relative to the highest seq held of
   * that origin: an honest origin's ops reach us in seq order per connection (pushes, and
   * anti-entropy deltas in ascending seq), so a jump of over maxSeqJump is a forgery or a bug, and
   * accepting it would make every later op of that origin wait forever.
   */
  private implausible(op: Op): [RejectReason, string] | null {
    const jump = this.opts.maxSeqJump;
    if (!this.have.knows(op.origin) && this.have.originCount() >= this.opts.maxOrigins) return ['origin-limit', `${this.opts.maxOrigins} origins are known already (--max-origins)`];
    const f = this.highestSeq(op.origin);
    if (op.seq > f + jump) return ['seq-jump', `seq is more than ${jump} beyond the highest held (${f}) (--max-seq-jump)`];
    if ((op.vv[op.origin] ?? 0) !== op.seq - 1) return ['bad-context', `its context says it follows seq ${op.vv[op.origin] ?? 0} of its own origin, not ${op.seq - 1}`];
    const ctx = Object.keys(op.vv);
    if (ctx.length > this.opts.maxOrigins) return ['origin-limit', `its context names ${ctx.length} origins (limit ${this.opts.maxOrigins})`];
    for (const k of ctx) {
      if (k === op.origin) continue;
      const c = op.vv[k]!;
      if (c > this.highestSeq(k) + jump) return ['context-jump', `its context needs ${c} ops of ${k}, more than ${jump} beyond the highest held (${this.highestSeq(k)})`];
    }
    return null;
  }

  /** the highest seq held (or, for this node, made) of an origin: what plausibility is judged against */
  private highestSeq(origin: string): number { return Math.max(this.have.maxOf(origin), origin === this.id ? this.nextSeq - 1 : 0); }

  /**
   * A snapshot's frontier under the same bounds as an op: a forged one naming a far-future seq
   * would make every later op of that origin count as held and be dropped.
   */
  private implausibleSnapshot(snap: Snapshot): [RejectReason, string] | null {
    const fresh = Object.keys(snap.frontier).filter((o) => !this.have.knows(o)).length;
    if (this.have.originCount() + fresh > this.opts.maxOrigins) return ['origin-limit', `its frontier names ${fresh} new origins beyond the ${this.opts.maxOrigins} allowed (--max-origins)`];
    for (const [o, n] of Object.entries(snap.frontier)) {
      if (n > this.highestSeq(o) + this.opts.maxSeqJump) return ['seq-jump', `its frontier holds ${n} ops of ${o}, more than ${this.opts.maxSeqJump} beyond the highest held (${this.highestSeq(o)}) (--max-seq-jump)`];
    }
    return null;
  }

  // ---------------------------------------------------------------- membership

  /** a peer introduced itself (handshake); learns it if new */
  notePeer(id: string, addr: string): Effects {
    const fx = noEffects();
    this.learn(id, addr, fx);
    return fx;
  }

  private learn(id: string, addr: string, fx: Effects): void {
    if (id === this.id || this.peers.has(id) || !addr) return;
    // a JOIN naming thousands of (fake) members must not make this node dial them all
    if (this.peers.size >= this.opts.maxPeers) {
      if (!this.warnedPeerCap) { this.warnedPeerCap = true; fx.events.push({ type: 'log', level: 'warn', text: `${this.peers.size} peers known, the --max-peers limit; ignoring further members (first ignored: ${id} at ${addr})` }); }
      return;
    }
    this.addPeer(id, addr, false);
    fx.events.push({ type: 'peer-added', id, addr });
    fx.events.push({ type: 'log', level: 'info', text: `learnt peer ${id} at ${addr}` });
  }

  /** the shell's dialed connection to `id` completed its handshake */
  peerConnected(id: string): Effects {
    const fx = noEffects();
    const p = this.peers.get(id);
    if (!p) return fx;
    fx.sends.push({ to: id, msg: { type: 'JOIN', members: this.members(), r: false } });
    fx.sends.push({ to: id, msg: { type: 'PING', n: this.env.monoNow() } });
    // sessions begun on the old connection will never be answered
    this.abandonSessions(id, fx);
    // catch up at once after a (re)connect rather than waiting for the next round
    if (!this.opts.unsafe.noAntiEntropy) this.startSession(id, fx);
    return fx;
  }

  private members(): [string, string][] {
    const out: [string, string][] = [[this.id, this.opts.advertise]];
    for (const p of this.peers.values()) out.push([p.id, p.addr]);
    return out;
  }

  // ---------------------------------------------------------------- peer messages

  /** a message from peer `from` (the id established by the connection's handshake) */
  receive(from: string, msg: Message): Effects {
    const fx = noEffects();
    switch (msg.type) {
      case 'PING':
        fx.replies.push({ type: 'PONG', n: msg.n });
        break;
      case 'PONG': {
        const p = this.peers.get(from);
        if (p) { p.detector.heartbeat(this.env.monoNow()); this.updateLiveness(p, fx); }
        break;
      }
      case 'JOIN':
        for (const [id, addr] of msg.members) this.learn(id, addr, fx);
        if (!msg.r) fx.replies.push({ type: 'JOIN', members: this.members(), r: true });
        else if (!this.joined) { this.joined = true; fx.events.push({ type: 'log', level: 'info', text: `joined cluster via ${from} (${this.peers.size + 1} members known)` }); }
        break;
      case 'PUSH':
        this.ingest(msg.ops, fx);
        break;
      case 'VV':
        this.peerHoldings(from, msg.holdings, (m) => fx.replies.push(m), msg.s);
        this.answerVV(msg.s, msg.holdings, fx);
        break;
      case 'SNAPSHOT':
        this.installSnapshot(from, msg.snapshot, fx);
        break;
      case 'SYNC':
        if (msg.r) this.onSyncAnswer(from, msg, fx); else this.answerSync(msg, fx);
        break;
      case 'DELTA_SYNC':
        this.onDelta(from, msg, fx);
        break;
      case 'ID': case 'ACK_ID': case 'AUTH':
        break; // handshake messages are the shell's business
    }
    return fx;
  }

  // ---------------------------------------------------------------- anti-entropy

  private sessionWith(peer: string): Session | undefined {
    for (const s of this.sessions.values()) if (s.peer === peer) return s;
    return undefined;
  }

  /** start anti-entropy with every live peer now; returns the session ids (empty under --unsafe-no-anti-entropy) */
  syncNow(reachable: (peer: string) => boolean = () => true): { sessions: number[]; fx: Effects } {
    const fx = noEffects();
    const ids: number[] = [];
    if (this.opts.unsafe.noAntiEntropy) return { sessions: ids, fx };
    for (const p of this.peers.values()) if (p.alive && reachable(p.id)) ids.push(this.startSession(p.id, fx));
    return { sessions: ids, fx };
  }

  /** start a session with a specific peer (tests, simulator) */
  syncWith(peer: string): { session: number; fx: Effects } {
    const fx = noEffects();
    return { session: this.startSession(peer, fx), fx };
  }

  private startSession(peer: string, fx: Effects): number {
    const s: Session = { id: this.nextSession++, peer, started: this.env.monoNow(), repaired: 0 };
    this.sessions.set(s.id, s);
    this.counters.syncRounds++;
    fx.sends.push({ to: peer, msg: { type: 'VV', s: s.id, holdings: this.have.holdings(this.opts.maxListedHoles) } });
    return s.id;
  }

  private abandonSessions(peer: string, fx: Effects): void {
    for (const s of [...this.sessions.values()]) if (s.peer === peer) this.finishSession(s, false, fx);
  }

  private finishSession(s: Session, ok: boolean, fx: Effects): void {
    this.sessions.delete(s.id);
    fx.events.push({ type: 'sync-done', session: s.id, peer: s.peer, repaired: s.repaired, ok });
    if (s.repaired > 0) fx.events.push({ type: 'log', level: 'info', text: `sync with ${s.peer} repaired ${s.repaired} ops` });
  }

  /**
   * The ops I hold that `holdings` says the other side lacks: its holes, and everything above its
   * max. (When it had too many holes to list, only the part above its max; the Merkle walk finds
   * the rest.)
   */
  private missingFrom(holdings: Record<string, OriginHoldings>): Op[] {
    const out: Op[] = [];
    for (const origin of this.have.origins()) {
      const h = Object.prototype.hasOwnProperty.call(holdings, origin) ? holdings[origin]! : { max: 0, holes: [] };
      const arr = this.bySeq.get(origin) ?? [];
      // below the compacted frontier there are no ops to send (a peer lacking those gets the snapshot)
      const low = this.compacted[origin] ?? 0;
      for (const seq of h.holes ?? []) { const op = arr[seq]; if (op) out.push(op); }
      for (const seq of this.have.heldAfter(origin, Math.max(h.max, low))) { const op = arr[seq]; if (op) out.push(op); }
    }
    return out;
  }

  /** send ops in frame-sized chunks; the last chunk carries `last`'s phase and extras */
  private chunked(ops: Op[], s: number, last: Omit<Extract<Message, { type: 'DELTA_SYNC' }>, 'type' | 's' | 'ops'>): Message[] {
    const out: Message[] = [];
    const k = this.opts.maxOpsPerMessage, budget = this.opts.maxBytesPerMessage;
    let cur: Op[] = [], bytes = 0;
    for (const op of ops) {
      const b = this.opts.opBytes(op);
      if (cur.length > 0 && (cur.length >= k || bytes + b > budget)) {
        out.push({ type: 'DELTA_SYNC', s, phase: DeltaPhase.Ops, ops: cur });
        cur = []; bytes = 0;
      }
      cur.push(op); bytes += b;
    }
    out.push({ type: 'DELTA_SYNC', s, ops: cur, ...last });
    return out;
  }

  private answerVV(s: number, holdings: Record<string, OriginHoldings>, fx: Effects): void {
    const missing = this.missingFrom(holdings);
    fx.replies.push(...this.chunked(missing, s, { phase: DeltaPhase.VvReply, holdings: this.have.holdings(this.opts.maxListedHoles) }));
  }

  /**
   * A Merkle request: nodes `idx` at `level`, with the sender's digests (the root step) or without
   * (the sender already knows they differ). Answer with the children digests of the differing
   * nodes — `idx` = those parents, 16 digests each — or, at leaf level, their op ids.
   */
  private answerSync(msg: Extract<Message, { type: 'SYNC' }>, fx: Effects): void {
    const depth = this.merkle.depth;
    const level = Math.min(msg.level, depth);
    const nodes = this.merkle.nodesAt(level);
    const compare = msg.digests.length === msg.idx.length * DIGEST_BYTES && msg.digests.length > 0;
    const differing = msg.idx.filter((i, k) => i < nodes && (!compare || !this.merkle.sameDigest(level, i, msg.digests.subarray(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES))));
    // an honest peer never repeats an index; a repeated one would be answered 16-fold (or with a
    // whole leaf) each time, so a frame of repeats could make this node build gigabytes
    const uniq = [...new Set(differing)];
    if (level === depth) {
      fx.replies.push({ type: 'SYNC', s: msg.s, r: true, level: depth, idx: [], digests: new Uint8Array(0), leaves: uniq.map((i) => [i, [...this.merkle.leafIds(i)]]) });
      return;
    }
    const children = uniq.flatMap((i) => this.merkle.children(i));
    fx.replies.push({ type: 'SYNC', s: msg.s, r: true, level: level + 1, idx: uniq, digests: this.digests(level + 1, children) });
  }

  private digests(level: number, idx: number[]): Uint8Array {
    const out = new Uint8Array(idx.length * DIGEST_BYTES);
    idx.forEach((i, k) => out.set(this.merkle.digest(level, i), k * DIGEST_BYTES));
    return out;
  }

  private onSyncAnswer(from: string, msg: Extract<Message, { type: 'SYNC' }>, fx: Effects): void {
    const s = this.sessions.get(msg.s);
    if (!s || s.peer !== from) return; // stale or foreign session
    if (msg.leaves) {
      const theyLack: Op[] = [];
      const want: string[] = [];
      // a leaf named twice would send its ops twice; an honest peer names each once
      const seen = new Set<number>();
      for (const [leaf, ids] of msg.leaves) {
        if (seen.has(leaf)) continue;
        seen.add(leaf);
        const theirs = new Set(ids);
        for (const id of ids) if (!this.byId.has(id)) want.push(id);
        for (const id of this.merkle.leafIds(leaf)) if (!theirs.has(id)) theyLack.push(this.byId.get(id)!);
      }
      if (theyLack.length === 0 && want.length === 0) { this.finishSession(s, true, fx); return; }
      s.repaired += theyLack.length;
      fx.sends.push(...this.chunked(theyLack, s.id, { phase: DeltaPhase.Want, want }).map((m) => ({ to: from, msg: m })));
      return;
    }
    // an answer: `idx` are parents at level-1, `digests` hold FANOUT children digests per parent
    const level = msg.level;
    if (level < 1 || level > this.merkle.depth || msg.digests.length !== msg.idx.length * FANOUT * DIGEST_BYTES) { this.finishSession(s, false, fx); return; }
    const nodes = this.merkle.nodesAt(level);
    const differing: number[] = [];
    msg.idx.forEach((parent, k) => {
      for (let c = 0; c < FANOUT; c++) {
        const child = parent * FANOUT + c, at = (k * FANOUT + c) * DIGEST_BYTES;
        if (child < nodes && !this.merkle.sameDigest(level, child, msg.digests.subarray(at, at + DIGEST_BYTES))) differing.push(child);
      }
    });
    if (differing.length === 0) { this.finishSession(s, true, fx); return; }
    fx.sends.push({ to: from, msg: { type: 'SYNC', s: s.id, r: false, level, idx: differing, digests: new Uint8Array(0) } });
  }

  private onDelta(from: string, msg: Extract<Message, { type: 'DELTA_SYNC' }>, fx: Effects): void {
    const n = this.ingest(msg.ops, fx);
    if (n > 0) { this.counters.repaired += n; fx.events.push({ type: 'repaired', n }); }
    const s = this.sessions.get(msg.s);
    const mine = s !== undefined && s.peer === from;
    if (mine) s.repaired += n;
    switch (msg.phase) {
      case DeltaPhase.VvReply: {
        if (!mine) return;
        this.peerHoldings(from, msg.holdings ?? {}, (m) => fx.sends.push({ to: from, msg: m }), s.id);
        const theyLack = this.missingFrom(msg.holdings ?? {});
        s.repaired += theyLack.length;
        fx.sends.push(...this.chunked(theyLack, s.id, { phase: DeltaPhase.Ops }).map((m) => ({ to: from, msg: m })));
        // same connection, so the peer ingests those ops before it compares trees
        fx.sends.push({ to: from, msg: { type: 'SYNC', s: s.id, r: false, level: 0, idx: [0], digests: this.merkle.digest(0, 0) } });
        return;
      }
      case DeltaPhase.Want: {
        const wanted: Op[] = [];
        // once per id: a want list repeating one id must not be answered with that op over and over
        for (const id of new Set(msg.want)) { const op = this.byId.get(id); if (op) wanted.push(op); }
        fx.replies.push(...this.chunked(wanted, msg.s, { phase: DeltaPhase.Final }));
        return;
      }
      case DeltaPhase.Final:
        if (mine) this.finishSession(s, true, fx);
        return;
    }
  }

  // ---------------------------------------------------------------- timers

  private updateLiveness(p: PeerState, fx: Effects): void {
    const now = this.env.monoNow();
    const phi = p.detector.phi(now);
    const alive = p.detector.heardOf() && phi <= this.opts.phi.threshold;
    if (alive) p.lastAlive = now;
    if (alive === p.alive) return;
    p.alive = alive;
    fx.events.push({ type: 'log', level: 'info', text: alive ? `peer ${p.id} alive` : `peer ${p.id} suspect (phi ${phi.toFixed(1)})` });
    // a session with a peer that went silent is not coming back; do not let it block the next one
    if (!alive) this.abandonSessions(p.id, fx);
    else if (!this.opts.unsafe.noAntiEntropy && !this.sessionWith(p.id)) this.startSession(p.id, fx);
  }

  /** call often (every few tens of ms): heartbeats, suspicion, anti-entropy, session timeouts */
  tick(): Effects {
    const fx = noEffects();
    const now = this.env.monoNow();
    if (now - this.lastHeartbeat >= this.opts.heartbeatIntervalMs) {
      this.lastHeartbeat = now;
      for (const p of this.peers.values()) fx.sends.push({ to: p.id, msg: { type: 'PING', n: now } });
    }
    for (const p of this.peers.values()) this.updateLiveness(p, fx);
    this.forgetDeadPeers(now, fx);
    for (const s of [...this.sessions.values()]) if (now - s.started > this.opts.syncTimeoutMs) this.finishSession(s, false, fx);
    if (this.opts.compactAfterOps > 0) this.compactNow(fx);
    if (!this.opts.unsafe.noAntiEntropy && now - this.lastAntiEntropy >= this.opts.antiEntropyIntervalMs) {
      this.lastAntiEntropy = now;
      for (const peer of this.antiEntropyTargets()) if (!this.sessionWith(peer)) this.startSession(peer, fx);
    }
    return fx;
  }

  /** a learnt peer dead for forgetPeerAfterMs is dropped (seeds are kept: they are configuration) */
  private forgetDeadPeers(now: number, fx: Effects): void {
    if (this.opts.forgetPeerAfterMs <= 0) return;
    for (const p of [...this.peers.values()]) {
      if (p.seed || p.alive || now - p.lastAlive < this.opts.forgetPeerAfterMs) continue;
      this.peers.delete(p.id);
      this.abandonSessions(p.id, fx);
      fx.events.push({ type: 'peer-removed', id: p.id });
      fx.events.push({ type: 'log', level: 'info', text: `forgot peer ${p.id} at ${p.addr}: not alive for ${Math.round((now - p.lastAlive) / 1000)} s` });
    }
  }

  /** the next live peer on the ring (ids sorted) and one random live peer */
  antiEntropyTargets(): string[] {
    const live = [...this.peers.values()].filter((p) => p.alive).map((p) => p.id).sort();
    if (live.length === 0) return [];
    const next = live.find((id) => id > this.id) ?? live[0]!;
    const random = live[Math.floor(this.env.random() * live.length)]!;
    return next === random ? [next] : [next, random];
  }
}

function ok(body: Record<string, unknown>): ClientReply { return { status: 200, body }; }

/** an upper bound of an op's msgpack size without encoding it (a float is 9 bytes, "0.5" is 3 chars) */
export function estimateOpBytes(op: Op): number {
  return 3 * canonicalJson([op.vv, op.key, op.payload]).length + 128;
}

/** the pure part of admission: the value must survive encoding exactly (see valueProblem) */
export function defaultAdmit(op: Op): { status: number; error: string } | null {
  const p = op.payload as { value?: unknown };
  if (op.kind === 'txn') {
    const writes = (op.payload as TxnPayload).writes;
    for (let i = 0; i < writes.length; i++) {
      const problem = valueProblem(writes[i]![2]);
      if (problem) return { status: 400, error: `write ${i} of the txn (${writes[i]![0]} to key ${JSON.stringify(writes[i]![1]).slice(0, 60)}): ${problem}` };
    }
    return null;
  }
  const problem = op.kind === 'transfer' ? null : valueProblem(p.value);
  return problem ? { status: 400, error: problem } : null;
}
function round2(x: number): number { return Math.round(x * 100) / 100; }
