/**
 * A stand-in for maep with the same command line and the few endpoints the local runtime's tests
 * use, so the runtime can be tested on its own (and before/without maep). Replication: every write
 * is pushed at once to every peer over the connection this node dialed, and the whole store is
 * re-sent every 300 ms (crude anti-entropy), last-writer-wins on (ts, origin). A dialed connection
 * without a pong for 1.5 s is dropped and redialed, as a real node's failure detector would.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const hostPort = (s: string) => { const i = s.lastIndexOf(':'); return { host: s.slice(0, i), port: Number(s.slice(i + 1)) }; };

const id = arg('id')!;
const listen = hostPort(arg('listen')!);
const httpAddr = hostPort(arg('http')!);
const dataDir = arg('data')!;
const offsetFile = arg('clock-offset-file');
const peers = (arg('peers') ?? '').split(',').filter(Boolean).map((p) => {
  const [pid, addr] = p.split('@') as [string, string];
  return { id: pid, ...hostPort(addr) };
});

let offsetMs = 0;
const readOffset = () => { if (offsetFile) { try { offsetMs = Number(readFileSync(offsetFile, 'utf8').trim()) || 0; } catch { /* keep */ } } };
readOffset();
setInterval(readOffset, 100);
const now = () => Date.now() + offsetMs;

type Entry = { value: unknown; ts: number; origin: string };
mkdirSync(dataDir, { recursive: true });
const storePath = join(dataDir, 'kv.json');
const store: Record<string, Entry> = (() => { try { return JSON.parse(readFileSync(storePath, 'utf8')); } catch { return {}; } })();
const save = () => { writeFileSync(storePath + '.tmp', JSON.stringify(store)); renameSync(storePath + '.tmp', storePath); };

function apply(key: string, e: Entry): void {
  const cur = store[key];
  if (cur && (cur.ts > e.ts || (cur.ts === e.ts && cur.origin >= e.origin))) return;
  store[key] = e;
  save();
}

// ---- peers: one dialed connection per peer, line-delimited JSON -----------------------------
interface Link { id: string; host: string; port: number; sock: net.Socket | null; lastPong: number }
const links = peers.map((p): Link => ({ ...p, sock: null, lastPong: 0 }));

/** newline-delimited JSON messages on a socket, whichever side opened it */
function onMessages(sock: net.Socket, handle: (msg: { type: string; [k: string]: any }) => void): void {
  let buf = '';
  sock.on('data', (b) => {
    buf += b.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      handle(JSON.parse(line));
    }
  });
}

function dial(l: Link): void {
  const sock = net.connect({ host: l.host, port: l.port });
  l.sock = sock;
  l.lastPong = performance.now();
  onMessages(sock, (msg) => {
    if (msg.type === 'pong') l.lastPong = performance.now();
  });
  const drop = () => { if (l.sock === sock) { l.sock = null; setTimeout(() => dial(l), 100); } };
  sock.on('error', drop);
  sock.on('close', drop);
  sock.on('connect', () => send(l, { type: 'sync', from: id, store }));
}

function send(l: Link, msg: unknown): void {
  if (l.sock && !l.sock.connecting && !l.sock.destroyed) l.sock.write(JSON.stringify(msg) + '\n');
}

setInterval(() => {
  for (const l of links) {
    if (!l.sock) continue;
    if (performance.now() - l.lastPong > 1500) { const s = l.sock; l.sock = null; s.destroy(); setTimeout(() => dial(l), 100); continue; }
    send(l, { type: 'ping' });
    send(l, { type: 'sync', from: id, store });
  }
}, 300);

const peerServer = net.createServer((sock) => {
  sock.on('error', () => {});
  onMessages(sock, (msg) => {
    if (msg.type === 'ping') sock.write(JSON.stringify({ type: 'pong' }) + '\n');
    if (msg.type === 'put') apply(msg.key, msg.entry);
    if (msg.type === 'sync') for (const [k, e] of Object.entries(msg.store as Record<string, Entry>)) apply(k, e);
  });
});

// ---- HTTP -----------------------------------------------------------------------------------
const api = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const reply = (status: number, obj: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
    const url = new URL(req.url!, 'http://x');
    if (req.method === 'GET' && url.pathname === '/admin/status') {
      return reply(200, {
        id, clock: now(),
        peers: links.map((l) => ({ id: l.id, alive: performance.now() - l.lastPong < 1500, suspect: false, phi: 0 })),
        opCount: Object.keys(store).length, visibleOpCount: Object.keys(store).length, versionVector: {}, merkleRoot: '',
      });
    }
    if (req.method === 'POST' && url.pathname === '/admin/sync') {
      for (const l of links) send(l, { type: 'sync', from: id, store });
      return reply(200, {});
    }
    const m = /^\/kv\/(.+)$/.exec(url.pathname);
    if (m && req.method === 'PUT') {
      const entry: Entry = { value: JSON.parse(body).value, ts: now(), origin: id };
      apply(m[1]!, entry);
      for (const l of links) send(l, { type: 'put', key: m[1], entry });
      return reply(200, { key: m[1], value: entry.value });
    }
    if (m && req.method === 'GET') {
      const e = store[m[1]!];
      return e ? reply(200, { key: m[1], value: e.value }) : reply(404, { error: 'not found' });
    }
    reply(404, { error: 'no such endpoint' });
  });
});

function fail(what: string) {
  return (err: Error) => { console.error(`fake-node ${id}: cannot listen on ${what}: ${err.message}`); process.exit(1); };
}
peerServer.once('error', fail('peer port'));
api.once('error', fail('http port'));
peerServer.listen(listen.port, listen.host, () => {
  api.listen(httpAddr.port, httpAddr.host, () => {
    for (const l of links) dial(l);
    console.log(`maep ${id} ready http=${httpAddr.host}:${httpAddr.port} peer=${listen.host}:${listen.port}`);
  });
});
process.on('SIGTERM', () => process.exit(0));
