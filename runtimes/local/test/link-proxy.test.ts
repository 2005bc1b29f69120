import { test } from 'vitest';
import assert from 'node:assert/strict';
import net from 'node:net';
import { LinkProxy, LOSS_PENALTY_MS } from '../link-proxy.ts';
import { portIsFree, LOOPBACK } from '../ports.ts';
import { Rng } from '../../../api/rng.ts';

/** every test is bounded: a hang fails with a message instead of stalling the suite */
const BOUND = { timeout: 60_000 };

/** an upstream TCP server that echoes and records what it got */
async function echoServer() {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const srv = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('data', (b) => { received.push(b); s.write(b); });
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, LOOPBACK, r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    received: () => Buffer.concat(received).toString(),
    connections: () => connections,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); srv.close(() => r()); }),
  };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: LOOPBACK, port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** read from the socket until `n` bytes arrived, or fail after timeoutMs with what arrived */
function readBytes(s: net.Socket, n: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (b: Buffer) => {
      got += b.toString();
      if (got.length >= n) { cleanup(); resolve(got); }
    };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`expected ${n} bytes, got ${got.length}: ${JSON.stringify(got)}`)); }, timeoutMs);
    const cleanup = () => { clearTimeout(timer); s.off('data', onData); };
    s.on('data', onData);
  });
}

/** watch a socket for `ms` and report everything that happened to it */
function observe(s: net.Socket, ms: number): Promise<{ data: string; ended: boolean; error: string | null; closed: boolean }> {
  return new Promise((resolve) => {
    const seen = { data: '', ended: false, error: null as string | null, closed: false };
    const onData = (b: Buffer) => { seen.data += b.toString(); };
    const onEnd = () => { seen.ended = true; };
    const onErr = (e: Error) => { seen.error = (e as NodeJS.ErrnoException).code ?? e.message; };
    const onClose = () => { seen.closed = true; };
    s.on('data', onData); s.on('end', onEnd); s.on('error', onErr); s.on('close', onClose);
    setTimeout(() => {
      s.off('data', onData); s.off('end', onEnd); s.off('error', onErr); s.off('close', onClose);
      resolve(seen);
    }, ms);
  });
}

test('forwards bytes both ways to the target', BOUND, async () => {
  const up = await echoServer();
  const proxy = new LinkProxy({ targetPort: up.port });
  const port = await proxy.listen();
  try {
    const c = await connect(port);
    c.write('hello');
    assert.equal(await readBytes(c, 5), 'hello');
    assert.equal(up.received(), 'hello');
    const st = proxy.stats();
    assert.equal(st.forwardBytes, 5);
    assert.equal(st.backwardBytes, 5);
    c.destroy();
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('blackhole stalls open and new connections without RST or FIN; heal delivers in order', BOUND, async () => {
  const up = await echoServer();
  const proxy = new LinkProxy({ targetPort: up.port });
  const port = await proxy.listen();
  try {
    const old = await connect(port);
    old.write('a');
    assert.equal(await readBytes(old, 1), 'a');

    proxy.setBlackholed(true);
    old.write('bc');
    const fresh = await connect(port); // accepted, as a SYN would be... eventually
    fresh.write('xyz');
    const [seenOld, seenFresh] = await Promise.all([observe(old, 400), observe(fresh, 400)]);
    for (const seen of [seenOld, seenFresh]) {
      assert.deepEqual(seen, { data: '', ended: false, error: null, closed: false }, 'a cut link must stall silently');
    }
    assert.equal(up.received(), 'a', 'nothing crosses a cut link');
    assert.equal(up.connections(), 1, 'a new connection is not passed on during the cut');

    proxy.setBlackholed(false);
    assert.equal(await readBytes(old, 2), 'bc');
    assert.equal(await readBytes(fresh, 3), 'xyz');
    assert.equal(up.connections(), 2);
    old.destroy(); fresh.destroy();
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('a FIN sent during the cut reaches the other side only after heal', BOUND, async () => {
  let upstreamEnded = false;
  const srv = net.createServer((s) => { s.on('end', () => { upstreamEnded = true; s.end(); }); s.on('error', () => {}); });
  await new Promise<void>((r) => srv.listen(0, LOOPBACK, r));
  const proxy = new LinkProxy({ targetPort: (srv.address() as net.AddressInfo).port });
  const port = await proxy.listen();
  try {
    const c = await connect(port);
    c.on('error', () => {});
    await new Promise((r) => setTimeout(r, 50)); // let the proxy connect upstream
    proxy.setBlackholed(true);
    c.end();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(upstreamEnded, false);
    proxy.setBlackholed(false);
    const deadline = Date.now() + 5000;
    while (!upstreamEnded && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(upstreamEnded, true, 'FIN was not delivered after heal');
  } finally {
    await proxy.close();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('delay on a direction adds at least that much to a round trip', BOUND, async () => {
  const up = await echoServer();
  const proxy = new LinkProxy({ targetPort: up.port });
  const port = await proxy.listen();
  try {
    const c = await connect(port);
    const rtt = async () => {
      const t = performance.now();
      c.write('p');
      await readBytes(c, 1);
      return performance.now() - t;
    };
    await rtt(); // warm-up: the upstream connection exists now
    proxy.setFault('forward', { delayMs: 150 });
    const slowFwd = await rtt();
    proxy.setFault('backward', { delayMs: 100 });
    const slowBoth = await rtt();
    proxy.clearFaults();
    assert.ok(slowFwd >= 150, `forward delay 150 ms, round trip took ${slowFwd} ms`);
    assert.ok(slowBoth >= 250, `delays 150+100 ms, round trip took ${slowBoth} ms`);
    c.destroy();
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('jitter never reorders bytes', BOUND, async () => {
  const up = await echoServer();
  const proxy = new LinkProxy({ targetPort: up.port, rng: new Rng(7) });
  const port = await proxy.listen();
  try {
    const c = await connect(port);
    c.setNoDelay(true);
    proxy.setFault('forward', { delayMs: 5, jitterMs: 40 });
    let expected = '';
    for (let i = 0; i < 60; i++) {
      const chunk = `<${i}>`;
      expected += chunk;
      c.write(chunk);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 3)); // spread over several chunks
    }
    assert.equal(await readBytes(c, expected.length), expected);
    c.destroy();
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('loss is modelled as a retransmission penalty, not as missing bytes', BOUND, async () => {
  const up = await echoServer();
  const proxy = new LinkProxy({ targetPort: up.port });
  const port = await proxy.listen();
  try {
    const c = await connect(port);
    c.write('w');
    await readBytes(c, 1);
    proxy.setFault('forward', { loss: 1 });
    const t = performance.now();
    c.write('lost?');
    assert.equal(await readBytes(c, 5), 'lost?');
    const took = performance.now() - t;
    assert.ok(took >= LOSS_PENALTY_MS, `a lost chunk should arrive after ${LOSS_PENALTY_MS} ms, took ${took}`);
    c.destroy();
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('a refused upstream resets the dialer; close frees the port', BOUND, async () => {
  const deadPort = await (async () => { const p = new LinkProxy(); const n = await p.listen(); await p.close(); return n; })();
  const proxy = new LinkProxy({ targetPort: deadPort });
  const port = await proxy.listen();
  const c = await connect(port);
  const seen = await new Promise<string>((resolve) => {
    c.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
    c.on('close', () => resolve('closed'));
  });
  assert.ok(seen === 'ECONNRESET' || seen === 'closed', `got ${seen}`);
  assert.equal(await portIsFree(port), false);
  await proxy.close();
  await proxy.close(); // idempotent
  assert.equal(await portIsFree(port), true);
});

test('bad fault values are rejected with a clear message', BOUND, () => {
  const proxy = new LinkProxy();
  assert.throws(() => proxy.setFault('forward', { loss: 2 }), /loss must be in 0\.\.1/);
  assert.throws(() => proxy.setFault('forward', { delayMs: -1 }), /must be >= 0/);
});

test('a connection the dialer abandoned during the cut never reaches the listener', BOUND, async () => {
  const up = await echoServer();
  const proxy = new LinkProxy({ targetPort: up.port });
  const port = await proxy.listen();
  try {
    proxy.setBlackholed(true);
    const c = await connect(port);
    c.write('hello?');
    c.destroy();
    await new Promise((r) => setTimeout(r, 100));
    proxy.setBlackholed(false);
    const live = await connect(port); // a fresh connection after heal goes through
    live.write('ok');
    assert.equal(await readBytes(live, 2), 'ok');
    assert.equal(up.connections(), 1, 'the abandoned connection was passed on');
    assert.equal(up.received(), 'ok');
    live.destroy();
  } finally {
    await proxy.close();
    await up.close();
  }
});
