/**
 * Loopback port helpers. Ports for node processes must be chosen before the node binds them, so
 * `freePort` (bind 0, read, release) can race with other programs on the machine; callers retry
 * a start that fails with EADDRINUSE. The proxies avoid the race entirely by listening on port 0.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';

export const LOOPBACK = '127.0.0.1';

/** a port that was free a moment ago on 127.0.0.1 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports */
export async function freePorts(count: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < count) out.add(await freePort());
  return [...out];
}

/** true when nothing listens on 127.0.0.1:port (we can bind it ourselves) */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ host: LOOPBACK, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * Ports in LISTEN state on any address, read from /proc/net/tcp{,6} (Linux). Lets a test see a
 * leftover listener even when it is bound to an address other than 127.0.0.1.
 */
export function listeningPorts(): Set<number> {
  const out = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = TCP_LISTEN
      out.add(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return out;
}
