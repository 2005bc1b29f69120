/** Test helper: a hand-driven peer connection speaking the wire protocol (ID handshake, frames). */
import net from 'node:net';
import type { Message } from '../core/messages.ts';
import { decodeMessage, encodeMessage } from '../wire/codec.ts';
import { FrameDecoder } from '../wire/frame.ts';
import { newChallenge, type ClusterKey } from '../shell/auth.ts';

export interface RawPeer { socket: net.Socket; received: Message[]; send(m: Message): void; closed: Promise<void>; close(): void }

/** dial `port` as `id` and finish the handshake (resolves after ACK_ID; with `key`, after AUTH is sent) */
export function rawPeer(port: number, id: string, key?: ClusterKey, acceptor = ''): Promise<RawPeer> {
  const challenge = key ? newChallenge() : undefined;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const decoder = new FrameDecoder();
    const received: Message[] = [];
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    const peer: RawPeer = { socket, received, closed, send: (m) => socket.write(encodeMessage(m)), close: () => socket.destroy() };
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no ACK_ID in 5 s')); }, 5000);
    socket.on('error', () => {});
    socket.on('connect', () => peer.send({ type: 'ID', id, addr: '', challenge }));
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        const m = decodeMessage(f.type, f.payload);
        if (typeof m === 'string') continue;
        received.push(m);
        if (m.type !== 'ACK_ID') continue;
        // the test peer signs blindly (it does not check the acceptor): it is the acceptor under test
        if (key && challenge && m.challenge) peer.send({ type: 'AUTH', mac: key.mac('auth', challenge, m.challenge, id, acceptor || m.id) });
        clearTimeout(timer); resolve(peer);
      }
    });
    void closed.then(() => { clearTimeout(timer); reject(new Error('closed before ACK_ID')); });
  });
}
