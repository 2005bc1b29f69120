/**
 * Peer messages as the core sees them (decoded, validated). node/wire/codec.ts maps them to and
 * from binary frames; node/PROTOCOL.md describes the exchange.
 */
import type { Op } from './ops.ts';
import type { Snapshot } from './snapshot.ts';
import type { OriginHoldings } from './version-vector.ts';

/** DELTA_SYNC phases: what the receiver should do after ingesting the ops */
export const DeltaPhase = {
  /** just ingest (a non-final chunk, or the initiator's answer to a VV reply) */
  Ops: 0,
  /** last chunk of the answer to VV; carries the responder's holdings */
  VvReply: 1,
  /** initiator → responder after comparing leaves: ingest, then send the `want`ed ops back */
  Want: 2,
  /** last chunk of the answer to Want: the session is complete */
  Final: 3,
} as const;
export type DeltaPhase = (typeof DeltaPhase)[keyof typeof DeltaPhase];

export type Message =
  /** membership gossip: [id, peer address] pairs the sender knows (incl. itself); r = this is the answer */
  | { type: 'JOIN'; members: [string, string][]; r: boolean }
  /** handshake, dialer → acceptor: who I am and where I listen */
  | { type: 'ID'; id: string; addr: string; challenge?: Uint8Array }
  /** handshake answer: the acceptor's id (the dialer checks it is who it meant to reach); with a
   *  cluster key also the acceptor's challenge and its proof (node/shell/auth.ts) */
  | { type: 'ACK_ID'; id: string; challenge?: Uint8Array; mac?: Uint8Array }
  /** handshake, dialer → acceptor, with a cluster key only: the dialer's proof */
  | { type: 'AUTH'; mac: Uint8Array }
  | { type: 'PING'; n: number }
  | { type: 'PONG'; n: number }
  | { type: 'PUSH'; ops: Op[] }
  /** anti-entropy opening: what the initiator holds, per origin */
  | { type: 'VV'; s: number; holdings: Record<string, OriginHoldings> }
  /** Merkle walk. Request (r=false): the sender's digests of nodes `idx` at `level`.
   *  Answer (r=true): either digests of the children of the differing nodes (at `level`), or,
   *  when the request was at leaf level, `leaves`: the answerer's ids in each differing leaf. */
  | { type: 'SYNC'; s: number; r: boolean; level: number; idx: number[]; digests: Uint8Array; leaves?: [number, string[]][] }
  | { type: 'DELTA_SYNC'; s: number; phase: DeltaPhase; ops: Op[]; holdings?: Record<string, OriginHoldings>; want?: string[] }
  /** anti-entropy, to a peer whose holdings lack ops the sender compacted: the sender's snapshot
   *  (the ops above its frontier follow as usual) */
  | { type: 'SNAPSHOT'; s: number; snapshot: Snapshot };
