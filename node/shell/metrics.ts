/** Prometheus metrics for one node, on its own registry (several nodes may share a process in tests). */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Replica } from '../core/replica.ts';

export class NodeMetrics {
  readonly registry = new Registry();
  readonly ops: Counter<'kind'>;
  readonly requests: Counter<'route' | 'status'>;
  readonly peerMessages: Counter<'type' | 'direction'>;
  readonly syncRounds: Counter;
  readonly repaired: Counter;
  readonly malformedFrames: Counter;
  readonly droppedSends: Counter;
  readonly rejectedOps: Counter<'reason'>;
  readonly logCorruptRegions: Counter;
  readonly authFailures: Counter<'reason'>;
  readonly logCorruptBytes: Counter;

  /** bytes of DIR/snapshot.bin (0 without one) */
  snapshotBytes = 0;

  constructor(core: () => Replica, withDefaults = false) {
    const r = this.registry;
    this.ops = new Counter({ name: 'maep_ops_total', help: 'operations created on this node, by kind', labelNames: ['kind'], registers: [r] });
    this.requests = new Counter({ name: 'maep_http_requests_total', help: 'client HTTP requests by route and status', labelNames: ['route', 'status'], registers: [r] });
    this.peerMessages = new Counter({ name: 'maep_peer_messages_total', help: 'peer messages by type and direction (in/out)', labelNames: ['type', 'direction'], registers: [r] });
    this.syncRounds = new Counter({ name: 'maep_sync_rounds_total', help: 'anti-entropy sessions started by this node', registers: [r] });
    this.repaired = new Counter({ name: 'maep_sync_ops_repaired_total', help: 'operations this node received through anti-entropy that it lacked', registers: [r] });
    this.malformedFrames = new Counter({ name: 'maep_malformed_frames_total', help: 'peer frames rejected (bad header, size, type or payload); each closed its connection', registers: [r] });
    this.droppedSends = new Counter({ name: 'maep_peer_sends_dropped_total', help: 'messages not sent because the peer had no live connection, its buffer was full, or the message was over the frame limit', registers: [r] });
    this.rejectedOps = new Counter({ name: 'maep_ops_rejected_total', help: 'received ops refused as implausible or forged, by reason (id-mismatch, seq-jump, context-jump, bad-context, origin-limit)', labelNames: ['reason'], registers: [r] });
    this.authFailures = new Counter({ name: 'maep_peer_auth_failures_total', help: 'peer connections refused, by reason: in their handshake (no-proof, bad-proof, too-many-pending, oversized, wire-version) or after it (bad-tag: a frame failed its integrity check)', labelNames: ['reason'], registers: [r] });
    this.logCorruptRegions = new Counter({ name: 'maep_log_corrupt_regions_total', help: 'damaged regions of ops.log skipped at start (not a torn tail); see /admin/status logCorruption', registers: [r] });
    this.logCorruptBytes = new Counter({ name: 'maep_log_corrupt_bytes_total', help: 'bytes of ops.log skipped as damaged at start', registers: [r] });
    new Gauge({ name: 'maep_op_count', help: 'operations held (received set)', registers: [r], collect() { this.set(core().opCount()); } });
    new Gauge({ name: 'maep_visible_op_count', help: 'operations visible (causally delivered)', registers: [r], collect() { this.set(core().visibleOpCount()); } });
    new Gauge({ name: 'maep_pending_op_count', help: 'operations held but waiting for their causal context', registers: [r], collect() { this.set(core().pendingOpCount()); } });
    new Gauge({ name: 'maep_compacted_op_count', help: 'operations folded into the snapshot (compacted) and no longer held one by one', registers: [r], collect() { this.set(core().compactedOpCount()); } });
    new Gauge({ name: 'maep_compacted_frontier', help: 'per origin, the highest seq compacted: every op of that origin up to it is in the snapshot', labelNames: ['origin'], registers: [r], collect() {
      for (const [o, n] of Object.entries(core().compactedFrontier())) this.set({ origin: o }, n);
    } });
    const self = this;
    new Gauge({ name: 'maep_snapshot_bytes', help: 'size of DIR/snapshot.bin in bytes (0 without one)', registers: [r], collect() { this.set(self.snapshotBytes); } });
    new Gauge({ name: 'maep_peer_alive', help: '1 if the failure detector considers the peer alive', labelNames: ['peer'], registers: [r], collect() {
      for (const id of core().peerIds()) this.set({ peer: id }, core().isAlive(id) ? 1 : 0);
    } });
    if (withDefaults) collectDefaultMetrics({ register: r, prefix: 'maep_process_' });
  }
}
