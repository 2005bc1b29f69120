/**
 * Peer authentication with a pre-shared cluster key (--cluster-key-file): a mutual HMAC-SHA256
 * challenge/response inside the existing framing.
 *
 *   dialer   → acceptor  ID     {id, addr, c: Cd}                     Cd: 32 random bytes
 *   acceptor → dialer    ACK_ID {id, c: Ca, m: HMAC(K, "maep1 ack"  | Cd | Ca | dialer | acceptor)}
 *   dialer   → acceptor  AUTH   {m: HMAC(K, "maep1 auth" | Cd | Ca | dialer | acceptor)}
 *
 * Each side proves it holds K over a challenge the other side just chose (no replay), and both ids
 * are bound into the proof (a proof for one identity or direction is useless for another). The
 * acceptor processes nothing but ID and AUTH before the proof checks out.
 *
 * Every frame after the handshake is tagged (wire/frame-mac.ts) with a key of its direction:
 * HKDF-SHA256 with K as the secret, Cd ‖ Ca as the salt (fresh per connection, so keys are never
 * reused across connections) and the direction as the info. The ids need not be in it: both proofs
 * bind them to these same challenges (and an id of up to 256 UTF-16 units would not fit HKDF's
 * 1,024-byte info).
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FrameMac } from '../wire/frame-mac.ts';

export const CHALLENGE_BYTES = 32;
export const MIN_KEY_CHARS = 16;
export const SESSION_KEY_BYTES = 32;

/** the two keys of one connection's frames, one per direction */
export interface SessionKeys { dialerToAcceptor: Buffer; acceptorToDialer: Buffer }

export function newChallenge(): Buffer { return randomBytes(CHALLENGE_BYTES); }

export class ClusterKey {
  constructor(private readonly key: Buffer) {}

  /** the file's content with surrounding whitespace removed; at least 16 characters */
  static fromFile(path: string): ClusterKey {
    let text: string;
    try { text = readFileSync(path, 'utf8'); } catch (e) { throw new Error(`cannot read --cluster-key-file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    const key = text.trim();
    if (key.length < MIN_KEY_CHARS) throw new Error(`--cluster-key-file ${path} holds ${key.length} characters; a cluster key needs at least ${MIN_KEY_CHARS} (e.g. openssl rand -hex 32 > ${path})`);
    return new ClusterKey(Buffer.from(key, 'utf8'));
  }

  mac(role: 'ack' | 'auth', dialerChallenge: Uint8Array, acceptorChallenge: Uint8Array, dialer: string, acceptor: string): Buffer {
    const h = createHmac('sha256', this.key);
    h.update(`maep1 ${role}\0`).update(dialerChallenge).update(acceptorChallenge);
    h.update(`${dialer}\0${acceptor}`);
    return h.digest();
  }

  verify(mac: Uint8Array, role: 'ack' | 'auth', dialerChallenge: Uint8Array, acceptorChallenge: Uint8Array, dialer: string, acceptor: string): boolean {
    const want = this.mac(role, dialerChallenge, acceptorChallenge, dialer, acceptor);
    return mac.length === want.length && timingSafeEqual(mac, want);
  }

  /** the frame keys of the connection whose handshake used these challenges */
  sessionKeys(dialerChallenge: Uint8Array, acceptorChallenge: Uint8Array): SessionKeys {
    const salt = Buffer.concat([dialerChallenge, acceptorChallenge]);
    const derive = (direction: string) => Buffer.from(hkdfSync('sha256', this.key, salt, `maep2 frames ${direction}`, SESSION_KEY_BYTES));
    return { dialerToAcceptor: derive('dialer->acceptor'), acceptorToDialer: derive('acceptor->dialer') };
  }

  /** one side's frame tags for a session: what it checks on frames in, what it puts on frames out */
  sessionMacs(dialerChallenge: Uint8Array, acceptorChallenge: Uint8Array, side: 'dialer' | 'acceptor'): { in: FrameMac; out: FrameMac } {
    const keys = this.sessionKeys(dialerChallenge, acceptorChallenge);
    const toAcceptor = new FrameMac(keys.dialerToAcceptor), toDialer = new FrameMac(keys.acceptorToDialer);
    return side === 'dialer' ? { in: toDialer, out: toAcceptor } : { in: toAcceptor, out: toDialer };
  }
}
