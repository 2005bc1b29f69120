/**
 * JSON over HTTP for systems whose nodes speak it (maep, the example system), with the error
 * mapping a Jepsen client needs:
 * - a 2xx answer → ok;
 * - a 4xx answer is a definite refusal → refused (the caller maps it to fail);
 * - the connection refused (nothing was sent) → refused;
 * - a timeout, a reset after sending, a 5xx → unknown: the request may or may not have been applied.
 *
 * HTTP/1.1 over a few keep-alive sockets per client, written directly on node:net: one write per
 * request, one response parsed per socket at a time (no pipelining), one timer per request and at
 * most one listener on the caller's signal, removed when the request ends. node:http's client
 * spent 0.25-0.45 ms of CPU per request where this spends ~0.04-0.09 ms (`npm run bench --
 * harness`, BENCHMARKS.md): with the harness and the nodes on the same cores, that CPU was the
 * harness's ceiling. Understood answers: content-length, chunked, or read-until-close bodies;
 * `connection: close`; 1xx interim answers are skipped. Plain http only.
 */
import net from 'node:net';

export type HttpOutcome =
  | { kind: 'ok'; status: number; body: any }
  | { kind: 'refused'; status?: number; body?: any; error: string }
  | { kind: 'unknown'; error: string };

export interface JsonClientOptions {
  /** per-request timeout */
  timeoutMs: number;
  /** extra headers on every request (e.g. an authorization token) */
  headers?: Record<string, string>;
}

/** idle keep-alive sockets kept per client; more requests at once open more sockets */
const MAX_IDLE = 4;
const CRLFCRLF = Buffer.from('\r\n\r\n');

interface Pending {
  /** the request reached a connected socket (an error now means it may have been applied) */
  sent: boolean;
  done(o: HttpOutcome): void;
}

/** one keep-alive socket, at most one request in flight on it */
class Conn {
  readonly socket: net.Socket;
  connected = false;
  closed = false;
  pending: Pending | null = null;
  private buf: Buffer | null = null;
  /** parsed head of the response being read, null while waiting for one */
  private head: { status: number; length: number; chunked: boolean; close: boolean } | null = null;
  private chunks: Buffer[] = [];

  constructor(host: string, port: number, private readonly release: (c: Conn, reuse: boolean) => void) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('connect', () => {
      this.connected = true;
      if (this.pending) this.pending.sent = true;
    });
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e: NodeJS.ErrnoException) => this.fail(e));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
  }

  send(text: string, p: Pending): void {
    this.pending = p;
    this.head = null;
    this.chunks = [];
    p.sent = this.connected;
    this.socket.ref();
    this.socket.write(text);
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private fail(e: NodeJS.ErrnoException): void {
    const wasClosed = this.closed;
    this.closed = true;
    const p = this.pending;
    this.pending = null;
    if (!wasClosed) this.release(this, false);
    if (p) p.done(p.sent ? unknownOf(e) : errorBeforeSending(e));
    this.socket.destroy();
  }

  private onEnd(): void {
    // a body without length runs to the end of the connection
    if (this.pending && this.head && this.head.length < 0 && !this.head.chunked) {
      if (this.buf) this.chunks.push(this.buf);
      this.buf = null;
      this.complete(true);
      return;
    }
    this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  }

  private onData(d: Buffer): void {
    if (!this.pending) { this.fail(Object.assign(new Error('unexpected data on an idle connection'), { code: 'EPROTO' })); return; }
    this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    try { this.parse(); } catch (e) { this.fail(Object.assign(e as Error, { code: 'EPROTO' })); }
  }

  private parse(): void {
    while (this.pending && this.buf) {
      if (!this.head) {
        const end = this.buf.indexOf(CRLFCRLF);
        if (end < 0) { if (this.buf.length > 64 * 1024) throw new Error('response head over 64 KiB'); return; }
        const text = this.buf.toString('latin1', 0, end);
        this.buf = end + 4 < this.buf.length ? this.buf.subarray(end + 4) : null;
        const m = /^HTTP\/1\.([01]) (\d{3})/.exec(text);
        if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 40))}`);
        const status = Number(m[2]);
        if (status >= 100 && status < 200) continue; // interim answer: the real one follows
        let length = -1, chunked = false, close = m[1] === '0';
        for (const line of text.split('\r\n').slice(1)) {
          const colon = line.indexOf(':');
          if (colon < 0) continue;
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim().toLowerCase();
          if (name === 'content-length') {
            length = /^\d+$/.test(value) ? Number(value) : NaN;
            if (!Number.isSafeInteger(length)) throw new Error(`bad content-length ${JSON.stringify(value)}`);
          }
          else if (name === 'transfer-encoding') chunked = value.split(',').some((v) => v.trim() === 'chunked');
          else if (name === 'connection') close = value.split(',').some((v) => v.trim() === 'close') || (close && !value.includes('keep-alive'));
        }
        if (chunked) length = -1;
        else if (status === 204 || status === 304) length = 0;
        this.head = { status, length, chunked, close };
        if (length === 0) { this.complete(close); return; }
        continue;
      }
      const h = this.head;
      if (h.chunked) {
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) return;
        const size = parseInt(this.buf.toString('latin1', 0, nl).split(';')[0]!, 16);
        if (!Number.isFinite(size)) throw new Error('bad chunk size');
        if (size === 0) {
          // last chunk, then (no) trailers and an empty line
          const end = this.buf.indexOf(CRLFCRLF);
          if (end < 0) return;
          this.buf = end + 4 < this.buf.length ? this.buf.subarray(end + 4) : null;
          this.complete(h.close);
          return;
        }
        if (this.buf.length < nl + 2 + size + 2) return;
        this.chunks.push(this.buf.subarray(nl + 2, nl + 2 + size));
        this.buf = nl + 4 + size < this.buf.length ? this.buf.subarray(nl + 4 + size) : null;
        continue;
      }
      if (h.length < 0) { this.chunks.push(this.buf); this.buf = null; return; } // until the connection ends
      const have = this.chunks.reduce((n, c) => n + c.length, 0);
      const need = h.length - have;
      if (this.buf.length < need) { this.chunks.push(this.buf); this.buf = null; return; }
      this.chunks.push(this.buf.subarray(0, need));
      this.buf = need < this.buf.length ? this.buf.subarray(need) : null;
      this.complete(h.close);
      return;
    }
  }

  private complete(close: boolean): void {
    const p = this.pending!;
    const status = this.head!.status;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.pending = null;
    this.head = null;
    this.chunks = [];
    // bytes after a complete answer we did not ask for: do not trust this socket again
    const reuse = !close && this.buf === null && !this.closed;
    if (!reuse) this.destroy();
    else this.socket.unref();
    this.release(this, reuse);
    p.done(outcomeOf(status, body.toString('utf8')));
  }
}

/** One node's JSON API: `call(method, path, body, signal)`; `close()` drops its sockets. */
export class JsonClient {
  private readonly idle: Conn[] = [];
  private readonly all = new Set<Conn>();
  private readonly host: string;
  private readonly port: number;
  private readonly prefix: string;
  private readonly fixedHeaders: string;

  constructor(readonly base: string, private readonly opts: JsonClientOptions) {
    const u = new URL(base);
    if (u.protocol !== 'http:') throw new Error(`JsonClient speaks plain http, not ${u.protocol} (${base})`);
    this.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(u.port || 80);
    this.prefix = u.pathname.replace(/\/$/, '');
    let fixed = `host: ${u.host}\r\n`;
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (/[\r\n:]/.test(k) || /[\r\n]/.test(v)) throw new Error(`header ${JSON.stringify(k)} has a line break or colon in it`);
      fixed += `${k}: ${v}\r\n`;
    }
    this.fixedHeaders = fixed;
  }

  call(method: string, path: string, body: unknown, signal: AbortSignal, timeoutMs = this.opts.timeoutMs): Promise<HttpOutcome> {
    if (signal.aborted) return Promise.resolve({ kind: 'unknown', error: 'interrupted' });
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const text = `${method} ${this.prefix}${path} HTTP/1.1\r\n${this.fixedHeaders}` +
      (payload === undefined ? '\r\n' : `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`);
    return new Promise<HttpOutcome>((resolve) => {
      let conn: Conn;
      const p: Pending = {
        sent: false,
        done: (o) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(o);
        },
      };
      const cut = (error: string) => {
        const wasPending = conn.pending === p;
        if (!wasPending) return;
        conn.pending = null;
        conn.destroy();
        this.drop(conn);
        p.done({ kind: 'unknown', error });
      };
      const timer = setTimeout(() => cut('timeout'), timeoutMs);
      const onAbort = () => cut('interrupted');
      signal.addEventListener('abort', onAbort, { once: true });
      conn = this.idle.pop() ?? this.open();
      conn.send(text, p);
    });
  }

  close(): void {
    for (const c of this.all) c.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  private open(): Conn {
    const c = new Conn(this.host, this.port, (conn, reuse) => {
      if (reuse && this.all.has(conn) && this.idle.length < MAX_IDLE) this.idle.push(conn);
      else { if (reuse) conn.destroy(); this.drop(conn); }
    });
    this.all.add(c);
    return c;
  }

  private drop(c: Conn): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

function outcomeOf(status: number, text: string): HttpOutcome {
  let parsed: any = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
  if (status >= 200 && status < 300) return { kind: 'ok', status, body: parsed };
  if (status >= 400 && status < 500) {
    const msg = parsed && typeof parsed === 'object' && typeof parsed.error === 'string' ? parsed.error : `http ${status}`;
    return { kind: 'refused', status, body: parsed, error: msg };
  }
  return { kind: 'unknown', error: `http ${status}` };
}

/** nothing reached the node when the connection itself was refused: definitely not applied */
function errorBeforeSending(e: NodeJS.ErrnoException): HttpOutcome {
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EADDRNOTAVAIL') return { kind: 'refused', error: `connection refused (${e.code})` };
  return unknownOf(e);
}

function unknownOf(e: NodeJS.ErrnoException): HttpOutcome {
  return { kind: 'unknown', error: e.code ? `connection error (${e.code})` : e.message };
}
