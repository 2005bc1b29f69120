/**
 * Test helper: a man in the middle on loopback. A node dials the relay instead of its peer; the
 * relay forwards the bytes both ways, and hands each frame the dialler sends after the handshake
 * (header, payload and tag) to `tap`, which returns what to forward in its place: the frame as it
 * came, a changed copy, or several frames (a replay).
 */
import net from 'node:net';
import { HEADER_BYTES } from '../wire/frame.ts';
import { TAG_BYTES } from '../wire/frame-mac.ts';

/** ID and AUTH: the dialler's frames before the tags start */
const HANDSHAKE_FRAMES = 2;

export type Tap = (frame: Buffer) => Buffer[];

export class MitmRelay {
  tap: Tap = (frame) => [frame];
  /** post-handshake frames seen from the dialler, over every connection */
  framesSeen = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, readonly port: number) {}

  static async start(targetPort: () => number): Promise<MitmRelay> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const relay = new MitmRelay(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (down) => relay.relay(down, targetPort()));
    return relay;
  }

  private relay(down: net.Socket, port: number): void {
    const up = net.connect({ host: '127.0.0.1', port });
    for (const s of [down, up]) {
      this.sockets.add(s);
      s.on('error', () => {});
      // either side closing ends the other: the dialler then sees its link drop and redials
      s.on('close', () => { this.sockets.delete(s); down.destroy(); up.destroy(); });
    }
    up.on('data', (b: Buffer) => down.write(b));
    let buffered = Buffer.alloc(0);
    let frames = 0;
    down.on('data', (b: Buffer) => {
      buffered = Buffer.concat([buffered, b]);
      for (;;) {
        if (buffered.length < HEADER_BYTES) return;
        const tagged = frames >= HANDSHAKE_FRAMES;
        const size = HEADER_BYTES + buffered.readUInt32BE(2) + (tagged ? TAG_BYTES : 0);
        if (buffered.length < size) return;
        const frame = buffered.subarray(0, size);
        buffered = buffered.subarray(size);
        frames++;
        if (!tagged) { up.write(frame); continue; }
        this.framesSeen++;
        for (const f of this.tap(Buffer.from(frame))) up.write(f);
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
