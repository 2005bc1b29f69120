/** Test helper: a hand-driven peer connection speaking the wire protocol (ID handshake, frames, tags). */
import net from 'node:net';
import type { Message } from '../core/messages.ts';
import { decodeMessage, encodeMessage } from '../wire/codec.ts';
import { FrameDecoder } from '../wire/frame.ts';
import { FrameMac } from '../wire/frame-mac.ts';
import { newChallenge, type ClusterKey } from '../shell/auth.ts';

export interface RawPeer { socket: net.Socket; received: Message[]; send(m: Message): void; closed: Promise<void>; close(): void }

/**
 * dial `port` as `id` and finish the handshake (resolves after ACK_ID; with `key`, after AUTH is
 * sent, and from then on `send` tags every frame and received frames are checked)
 */
export function rawPeer(port: number, id: string, key?: ClusterKey, acceptor = ''): Promise<RawPeer> {
  const challenge = key ? newChallenge() : undefined;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const decoder = new FrameDecoder();
    const received: Message[] = [];
    let out: FrameMac | null = null;
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    const send = (m: Message) => { const f = encodeMessage(m); socket.write(out ? out.seal(f) : f); };
    const peer: RawPeer = { socket, received, closed, send, close: () => socket.destroy() };
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no ACK_ID in 5 s')); }, 5000);
    socket.on('error', () => {});
    socket.on('connect', () => send({ type: 'ID', id, addr: '', challenge }));
    socket.on('data', (chunk: Buffer) => {
      decoder.feed(chunk);
      for (let f = decoder.next(); f; f = decoder.next()) {
        const m = decodeMessage(f.type, f.payload);
        if (typeof m === 'string') continue;
        received.push(m);
        if (m.type !== 'ACK_ID') continue;
        // the test peer signs blindly (it does not check the acceptor): it is the acceptor under test
        if (key && challenge && m.challenge) {
          send({ type: 'AUTH', mac: key.mac('auth', challenge, m.challenge, id, acceptor || m.id) });
          const macs = key.sessionMacs(challenge, m.challenge, 'dialer');
          out = macs.out;
          decoder.mac = macs.in;
        }
        clearTimeout(timer); resolve(peer);
      }
      if (decoder.error) socket.destroy();
    });
    void closed.then(() => { clearTimeout(timer); reject(new Error('closed before ACK_ID')); });
  });
}
