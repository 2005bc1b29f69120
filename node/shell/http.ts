/**
 * The client API: HTTP/1.1 + JSON on node:http with keep-alive. This file only translates: it
 * checks the shape of each request (naming what is wrong, always with a 4xx) and hands a typed
 * request to the node. Bodies over the limit get 413 and the connection is closed.
 */
import http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { jsonDepthExceeds } from '../core/ops.ts';
import type { ClientRequest, ClientReply } from '../core/replica.ts';
import { parseHostPort } from './address.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_KEY = 1024;

export interface HttpHandlers {
  /** when set, every request except GET /metrics needs `authorization: Bearer <token>` (else 401) */
  clientToken?: string;
  /** request body limit (413 above); default MAX_BODY_BYTES */
  maxBodyBytes?: number;
  client(req: ClientRequest): Promise<ClientReply>;
  sync(): Promise<ClientReply>;
  metrics(): Promise<string>;
  onRequest?(route: string, status: number): void;
}

class BadRequest extends Error { constructor(readonly status: number, message: string) { super(message); } }

function send(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(text);
}

function readBody(req: http.IncomingMessage, MAX_BODY_BYTES: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) { reject(new BadRequest(413, `request body of ${declared} bytes is over the ${MAX_BODY_BYTES}-byte limit`)); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) { reject(new BadRequest(413, `request body is over the ${MAX_BODY_BYTES}-byte limit`)); req.pause(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (e) => reject(new BadRequest(400, `could not read the request body: ${e.message}`)));
  });
}

async function jsonBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const buf = await readBody(req, limit);
  if (buf.length === 0) throw new BadRequest(400, 'request body is empty; send a JSON object');
  let v: unknown;
  try { v = JSON.parse(buf.toString('utf8')); } catch (e) { throw new BadRequest(400, `request body is not valid JSON: ${(e as Error).message}`); }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(400, 'request body must be a JSON object');
  if (jsonDepthExceeds(v)) throw new BadRequest(400, 'request body is nested more than 64 levels deep');
  return v as Record<string, unknown>;
}

function field(body: Record<string, unknown>, name: string, example: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(body, name)) throw new BadRequest(400, `missing field "${name}"; expected a body like ${example}`);
  return body[name];
}

function decodeKey(raw: string): string {
  let key: string;
  try { key = decodeURIComponent(raw); } catch { throw new BadRequest(400, `key ${JSON.stringify(raw)} is not valid percent-encoding`); }
  if (key.length === 0) throw new BadRequest(400, 'key is empty');
  if (key.length > MAX_KEY) throw new BadRequest(400, `key is ${key.length} characters long; the limit is ${MAX_KEY}`);
  return key;
}

function account(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new BadRequest(400, `"${name}" must be an integer account number, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  // compare digests: constant time, whatever the lengths
  const a = createHash('sha256').update(m[1]!).digest(), b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** route → typed request; throws BadRequest */
async function route(req: http.IncomingMessage, h: HttpHandlers): Promise<[string, ClientReply | string]> {
  const url = req.url ?? '/';
  const path = url.split('?')[0]!;
  const method = req.method ?? 'GET';
  const seg = path.split('/').slice(1);
  if (h.clientToken !== undefined && path !== '/metrics' && !bearerMatches(req.headers.authorization, h.clientToken)) {
    throw new BadRequest(401, req.headers.authorization ? 'wrong client token' : 'this node needs a client token: send "authorization: Bearer <token>" (--client-token)');
  }
  const allow = (m: string[], name: string) => { if (!m.includes(method)) throw new BadRequest(405, `${method} is not supported on ${name}; use ${m.join(' or ')}`); };
  if (seg[0] === 'kv' && seg.length === 2) {
    allow(['GET', 'PUT'], '/kv/:key');
    const key = decodeKey(seg[1]!);
    if (method === 'GET') return ['kv-get', await h.client({ t: 'get', key })];
    const body = await jsonBody(req, h.maxBodyBytes);
    return ['kv-put', await h.client({ t: 'put', key, value: field(body, 'value', '{"value": 1}') })];
  }
  if (seg[0] === 'kv' && seg.length === 3 && seg[2] === 'cas') {
    allow(['POST'], '/kv/:key/cas');
    const key = decodeKey(seg[1]!);
    const body = await jsonBody(req, h.maxBodyBytes);
    const ex = '{"expected": 1, "new": 2}';
    return ['kv-cas', await h.client({ t: 'cas', key, expected: field(body, 'expected', ex), new: field(body, 'new', ex) })];
  }
  if (seg[0] === 'history' && seg.length === 2) {
    allow(['GET', 'POST'], '/history/:key');
    const key = decodeKey(seg[1]!);
    if (method === 'GET') return ['history-get', await h.client({ t: 'history', key })];
    const body = await jsonBody(req, h.maxBodyBytes);
    return ['history-append', await h.client({ t: 'append', key, value: field(body, 'value', '{"value": 1}') })];
  }
  if (path === '/bank/transfer') {
    allow(['POST'], '/bank/transfer');
    const body = await jsonBody(req, h.maxBodyBytes);
    const ex = '{"from": 0, "to": 1, "amount": 2}';
    const from = account(field(body, 'from', ex), 'from');
    const to = account(field(body, 'to', ex), 'to');
    const amount = field(body, 'amount', ex);
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) throw new BadRequest(400, `"amount" must be a positive safe integer, got ${JSON.stringify(amount) ?? String(amount)}`);
    return ['bank-transfer', await h.client({ t: 'transfer', from, to, amount })];
  }
  if (path === '/txn') {
    allow(['GET', 'POST'], '/txn');
    if (method === 'GET') return ['txn-all', await h.client({ t: 'txn-all' })];
    const body = await jsonBody(req, h.maxBodyBytes);
    return ['txn', await h.client({ t: 'txn', ops: field(body, 'ops', '{"ops": [["append", 1, 5], ["r", 1, null]]}') })];
  }
  if (seg[0] === 'txn' && seg.length === 2) {
    allow(['GET'], '/txn/:key');
    return ['txn-get', await h.client({ t: 'txn-get', key: decodeKey(seg[1]!) })];
  }
  if (path === '/bank') { allow(['GET'], '/bank'); return ['bank-get', await h.client({ t: 'bank' })]; }
  if (path === '/admin/status') { allow(['GET'], '/admin/status'); return ['status', await h.client({ t: 'status' })]; }
  if (path === '/admin/sync') { allow(['POST'], '/admin/sync'); return ['sync', await h.sync()]; }
  if (path === '/metrics') { allow(['GET'], '/metrics'); return ['metrics', await h.metrics()]; }
  throw new BadRequest(404, `no such endpoint: ${method} ${path.slice(0, 200)}; see node/README.md for the API`);
}

export function createHttpServer(h: HttpHandlers): http.Server {
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    route(req, h).then(([name, result]) => {
      if (typeof result === 'string') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(result);
        h.onRequest?.(name, 200);
        return;
      }
      send(res, result.status, result.body);
      h.onRequest?.(name, result.status);
    }, (e: unknown) => {
      if (e instanceof BadRequest) {
        // after a 413 the rest of the body is unread: close rather than parse it as a next request
        send(res, e.status, { error: e.message }, e.status === 413);
        if (e.status === 413) req.socket.end();
        h.onRequest?.('bad-request', e.status);
        return;
      }
      send(res, 500, { error: `internal error: ${(e as Error).message}` });
      h.onRequest?.('internal-error', 500);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"malformed HTTP request"}');
    else socket.destroy();
  });
  return server;
}

export async function listenHttp(server: http.Server, addr: string): Promise<string> {
  const { host, port } = parseHostPort(addr);
  await new Promise<void>((resolve, reject) => {
    const onErr = (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'EADDRINUSE' ? `HTTP address ${addr} is already in use; pick another --http port` : `cannot listen for HTTP on ${addr}: ${e.message}`));
    server.once('error', onErr);
    server.listen(port, host, () => { server.off('error', onErr); resolve(); });
  });
  const a = server.address() as import('node:net').AddressInfo;
  return `${host}:${a.port}`;
}
