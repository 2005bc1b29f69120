import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { getEventListeners } from 'node:events';
import { JsonClient } from '../http-json.ts';

/**
 * The JSON client speaks HTTP/1.1 on node:net itself (issue #20: node:http's client cost 5× the CPU
 * per request). These pin down the framing it must understand and the error mapping it must keep.
 */
const signal = () => new AbortController().signal;

async function listen(server: Server | net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}
const closeHttp = (s: Server) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });

/** a raw TCP server that answers every request (after its head and body) with `answer(request text)` */
async function rawServer(answer: (req: string, sock: net.Socket) => string | null): Promise<{ port: number; server: net.Server; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((sock) => {
    sockets.push(sock);
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      buf += d;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const req = buf.slice(0, end + 4 + len);
        buf = buf.slice(end + 4 + len);
        const out = answer(req, sock);
        if (out !== null) sock.write(out, 'latin1');
      }
    });
    sock.on('error', () => {});
  });
  return { port: await listen(server), server, sockets };
}
const closeRaw = (s: { server: net.Server; sockets: net.Socket[] }) => new Promise<void>((r) => { for (const k of s.sockets) k.destroy(); s.server.close(() => r()); });

test('keep-alive: requests reuse one socket; method, path prefix, headers and JSON body arrive as sent', async () => {
  const seen: { method: string; url: string; auth?: string; type?: string; body: string; port: number }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, type: req.headers['content-type'], body, port: req.socket.remotePort! });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echo: body ? JSON.parse(body) : null, ü: 'ä€' }));
    });
  });
  const port = await listen(server);
  try {
    const c = new JsonClient(`http://127.0.0.1:${port}/api/`, { timeoutMs: 2000, headers: { authorization: 'Bearer t' } });
    assert.deepEqual(await c.call('PUT', '/reg/1', { value: 'ü€' }, signal()), { kind: 'ok', status: 200, body: { echo: { value: 'ü€' }, ü: 'ä€' } });
    assert.deepEqual(await c.call('GET', '/reg/1', undefined, signal()), { kind: 'ok', status: 200, body: { echo: null, ü: 'ä€' } });
    assert.deepEqual(seen.map((s) => [s.method, s.url, s.auth, s.type]), [['PUT', '/api/reg/1', 'Bearer t', 'application/json'], ['GET', '/api/reg/1', 'Bearer t', undefined]]);
    assert.equal(seen[0]!.port, seen[1]!.port, 'the second request went over the same connection');
    c.close();
  } finally { await closeHttp(server); }
});

test('answers: chunked, split in pieces, connection close, read-until-close, 1xx first; 4xx refused with its error, 5xx unknown', async () => {
  const body = JSON.stringify({ a: 'é'.repeat(10) });
  const raw = await rawServer((req, sock) => {
    const path = req.split(' ')[1];
    if (path === '/chunked') {
      const b = Buffer.from(body);
      return `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${(5).toString(16)}\r\n${b.subarray(0, 5).toString('latin1')}\r\n${(b.length - 5).toString(16)}\r\n${b.subarray(5).toString('latin1')}\r\n0\r\n\r\n`;
    }
    if (path === '/pieces') {
      const whole = `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${Buffer.from(body).toString('latin1')}`;
      // one byte at a time, across the head/body boundary and inside a 2-byte character
      let i = 0;
      const drip = () => { if (i < whole.length) { sock.write(whole[i++]!, 'latin1'); setImmediate(drip); } };
      drip();
      return null;
    }
    if (path === '/close') return `HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}`;
    if (path === '/until-close') { sock.end(`HTTP/1.0 200 OK\r\n\r\n${Buffer.from(body).toString('latin1')}`, 'latin1'); return null; }
    if (path === '/continue') return `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnull`;
    if (path === '/refuse') return `HTTP/1.1 409 Conflict\r\ncontent-length: 19\r\n\r\n{"error":"differs"}`;
    if (path === '/empty') return `HTTP/1.1 204 No Content\r\n\r\n`;
    return `HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n`;
  });
  try {
    const c = new JsonClient(`http://127.0.0.1:${raw.port}`, { timeoutMs: 2000 });
    const parsed = JSON.parse(body);
    assert.deepEqual(await c.call('GET', '/chunked', undefined, signal()), { kind: 'ok', status: 200, body: parsed });
    assert.deepEqual(await c.call('GET', '/pieces', undefined, signal()), { kind: 'ok', status: 200, body: parsed });
    assert.deepEqual(await c.call('GET', '/close', undefined, signal()), { kind: 'ok', status: 200, body: {} });
    assert.deepEqual(await c.call('GET', '/until-close', undefined, signal()), { kind: 'ok', status: 200, body: parsed });
    assert.deepEqual(await c.call('GET', '/continue', undefined, signal()), { kind: 'ok', status: 200, body: null });
    assert.deepEqual(await c.call('POST', '/refuse', { x: 1 }, signal()), { kind: 'refused', status: 409, body: { error: 'differs' }, error: 'differs' });
    assert.deepEqual(await c.call('GET', '/empty', undefined, signal()), { kind: 'ok', status: 204, body: null });
    assert.deepEqual(await c.call('GET', '/other', undefined, signal()), { kind: 'unknown', error: 'http 503' });
    c.close();
  } finally { await closeRaw(raw); }
});

test('a reset after sending, a timeout and an abort are unknown; a refused connection is refused; close() ends what is in flight', async () => {
  const raw = await rawServer((req, sock) => {
    const path = req.split(' ')[1];
    if (path === '/reset') { sock.destroy(); return null; }
    if (path === '/garbage') return 'SSH-2.0-OpenSSH\r\n\r\n';
    return null; // hang
  });
  try {
    const c = new JsonClient(`http://127.0.0.1:${raw.port}`, { timeoutMs: 150 });
    assert.deepEqual(await c.call('PUT', '/reset', { v: 1 }, signal()), { kind: 'unknown', error: 'connection error (ECONNRESET)' });
    assert.deepEqual(await c.call('PUT', '/hang', { v: 1 }, signal()), { kind: 'unknown', error: 'timeout' });
    assert.equal((await c.call('GET', '/garbage', undefined, signal())).kind, 'unknown');
    const ac = new AbortController();
    const p = c.call('PUT', '/hang', { v: 1 }, ac.signal, 5000);
    setTimeout(() => ac.abort(), 20);
    assert.deepEqual(await p, { kind: 'unknown', error: 'interrupted' });
    const q = c.call('PUT', '/hang', { v: 1 }, signal(), 5000);
    setTimeout(() => c.close(), 20);
    assert.equal((await q).kind, 'unknown');
    const aborted = new AbortController(); aborted.abort();
    assert.deepEqual(await c.call('GET', '/x', undefined, aborted.signal), { kind: 'unknown', error: 'interrupted' });
  } finally { await closeRaw(raw); }
  const gone = new JsonClient(`http://127.0.0.1:${raw.port}`, { timeoutMs: 500 });
  const r = await gone.call('PUT', '/reg/1', { value: 1 }, signal());
  assert.equal(r.kind, 'refused');
  assert.match((r as { error: string }).error, /connection refused/);
});

test('an idle socket the server closed is dropped, and the next request opens a new one', async () => {
  const raw = await rawServer(() => 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}');
  try {
    const c = new JsonClient(`http://127.0.0.1:${raw.port}`, { timeoutMs: 1000 });
    assert.equal((await c.call('GET', '/a', undefined, signal())).kind, 'ok');
    for (const s of raw.sockets) s.end();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await c.call('GET', '/b', undefined, signal()), { kind: 'ok', status: 200, body: {} });
    assert.equal(raw.sockets.length, 2);
    // several requests at once use several sockets
    const many = await Promise.all([1, 2, 3].map((i) => c.call('GET', `/m${i}`, undefined, signal())));
    assert.deepEqual(many.map((m) => m.kind), ['ok', 'ok', 'ok']);
    c.close();
  } finally { await closeRaw(raw); }
});

test('one abort listener per signal, not per request: a worker\'s signal keeps one, fresh signals per call leave at most one, close() removes them; an abort ends every request under it', async () => {
  const raw = await rawServer((req) => (req.split(' ')[1] === '/hang' ? null : 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}'));
  try {
    const c = new JsonClient(`http://127.0.0.1:${raw.port}`, { timeoutMs: 2000 });
    const worker = new AbortController();
    for (let i = 0; i < 5; i++) assert.equal((await c.call('GET', '/a', undefined, worker.signal)).kind, 'ok');
    assert.equal(getEventListeners(worker.signal, 'abort').length, 1);
    const fresh = Array.from({ length: 5 }, () => new AbortController());
    for (const f of fresh) assert.equal((await c.call('GET', '/a', undefined, f.signal)).kind, 'ok');
    assert.deepEqual(fresh.map((f) => getEventListeners(f.signal, 'abort').length), [0, 0, 0, 0, 1]);
    // two requests in flight under one signal, one under another: the abort ends exactly the two
    const other = new AbortController();
    const a = c.call('PUT', '/hang', { v: 1 }, worker.signal);
    const b = c.call('PUT', '/hang', { v: 2 }, worker.signal);
    const d = c.call('GET', '/a', undefined, other.signal);
    worker.abort();
    assert.deepEqual(await Promise.all([a, b, d]), [{ kind: 'unknown', error: 'interrupted' }, { kind: 'unknown', error: 'interrupted' }, { kind: 'ok', status: 200, body: {} }]);
    c.close();
    assert.equal(getEventListeners(other.signal, 'abort').length, 0);
  } finally { await closeRaw(raw); }
});
