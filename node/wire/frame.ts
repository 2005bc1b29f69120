/**
 * Framing: every peer message is a 6-byte header — version (1 byte), type (1 byte), payload
 * length (4 bytes, big-endian) — followed by the payload. The decoder is incremental (TCP delivers
 * arbitrary chunks) and rejects, before buffering anything, a frame it will never accept: wrong
 * version, unknown type, or a length above the limit. A rejected stream cannot be resynchronised,
 * so the caller closes that connection.
 */
export const WIRE_VERSION = 1;
export const HEADER_BYTES = 6;
export const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;

export const FrameType = { JOIN: 1, ID: 2, ACK_ID: 3, PING: 4, PONG: 5, PUSH: 6, VV: 7, SYNC: 8, DELTA_SYNC: 9, AUTH: 10, SNAPSHOT: 11 } as const;
export type FrameTypeName = keyof typeof FrameType;
const TYPE_NAMES = new Map<number, FrameTypeName>(Object.entries(FrameType).map(([k, v]) => [v, k as FrameTypeName]));

export function frameTypeName(code: number): FrameTypeName | undefined { return TYPE_NAMES.get(code); }

export function encodeFrame(type: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out[0] = WIRE_VERSION;
  out[1] = type;
  out.writeUInt32BE(payload.length, 2);
  out.set(payload, HEADER_BYTES);
  return out;
}

export interface Frame { type: number; payload: Buffer }

export class FrameError extends Error {}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed: FrameError | null = null;

  /** the largest payload accepted; the caller may raise it (after a handshake) between frames */
  maxPayload: number;

  constructor(maxPayload = DEFAULT_MAX_FRAME) { this.maxPayload = maxPayload; }

  /** set once the stream is unusable; the caller closes the connection */
  get error(): FrameError | null { return this.failed; }

  /**
   * Feed bytes; returns the complete frames. Once the stream is unusable `error` is set (frames
   * completed before the bad one are still returned, so they are not lost) and later pushes throw.
   */
  push(chunk: Buffer): Frame[] {
    this.feed(chunk);
    const frames: Frame[] = [];
    for (let f = this.next(); f; f = this.next()) frames.push(f);
    return frames;
  }

  /** add bytes without taking frames out (take them one by one with next()) */
  feed(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** the next complete frame, or null (incomplete, or the stream failed: see `error`) */
  next(): Frame | null {
    if (this.failed || this.buffered < HEADER_BYTES) return null;
    const head = this.peek(HEADER_BYTES);
    const version = head[0]!, type = head[1]!, len = head.readUInt32BE(2);
    const bad = version !== WIRE_VERSION ? `unsupported wire version ${version} (expected ${WIRE_VERSION})`
      : !TYPE_NAMES.has(type) ? `unknown frame type ${type}`
      : len > this.maxPayload ? `frame of ${len} bytes exceeds the ${this.maxPayload}-byte limit` : null;
    if (bad) { this.fail(bad); return null; }
    if (this.buffered < HEADER_BYTES + len) return null;
    const whole = this.take(HEADER_BYTES + len);
    return { type, payload: whole.subarray(HEADER_BYTES) };
  }

  /** bytes held waiting for the rest of a frame */
  pendingBytes(): number { return this.buffered; }

  private fail(reason: string): void {
    this.failed = new FrameError(reason);
    this.chunks = []; this.buffered = 0;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private take(n: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < n) { first = Buffer.concat(this.chunks); this.chunks = [first]; }
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift(); else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
