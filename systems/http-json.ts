/**
 * JSON over HTTP for systems whose nodes speak it (maep, the example system), with the error
 * mapping a Jepsen client needs:
 * - a 2xx answer → ok;
 * - a 4xx answer is a definite refusal → refused (the caller maps it to fail);
 * - the connection refused (nothing was sent) → refused;
 * - a timeout, a reset after sending, a 5xx → unknown: the request may or may not have been applied.
 *
 * HTTP/1.1 over a few keep-alive sockets per client, written directly on node:net: one write per
 * request, reads through `onread` into one shared buffer, one response parsed per socket at a time
 * (no pipelining), one timer per socket re-armed per request, one listener per caller's signal (not
 * per request). node:http's client spent 0.25-0.45 ms of CPU per request; this spends ~0.02-0.03
 * ms (issue #20, BENCHMARKS.md "harness"): with the harness and the nodes on the same cores, every
 * microsecond here is one the nodes do not get. Understood answers: content-length, chunked, or
 * read-until-close bodies; `connection: close`; 1xx interim answers are skipped. Plain http only.
 */
import net from 'node:net';
import { parseResponseHead, type ResponseHead } from './http-head.ts';

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
/** where every socket's reads land (a callback uses it before the next read can) */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);
const owned = (b: Buffer): Buffer => (b.buffer === READ_BUFFER.buffer ? Buffer.from(b) : b);

/** one request: settles once, by its answer, a socket error, its timeout or its caller's abort */
class Request {
  /** the request reached a connected socket (an error now means it may have been applied) */
  sent = false;
  conn: Conn | null = null;
  resolve!: (o: HttpOutcome) => void;

  constructor(readonly signal: AbortSignal, readonly timeoutMs: number, private readonly client: JsonClient) {}

  done(o: HttpOutcome): void {
    this.resolve(o);
  }

  /** ends the request as unknown while it is on its socket (the socket cannot be trusted again) */
  cut(error: string): void {
    const conn = this.conn;
    if (!conn || conn.pending !== this) return;
    conn.pending = null;
    conn.destroy();
    this.client.drop(conn);
    this.done({ kind: 'unknown', error });
  }
}

/** one keep-alive socket, at most one request in flight on it */
class Conn {
  readonly socket: net.Socket;
  connected = false;
  closed = false;
  pending: Request | null = null;
  private buf: Buffer | null = null;
  /** parsed head of the response being read, null while waiting for one */
  private head: ResponseHead | null = null;
  private chunks: Buffer[] = [];
  /** bytes in `chunks` */
  private have = 0;
  /**
   * the request timeout, one timer per socket re-armed by each request (refresh() costs less CPU
   * than a new timer per request); unref'd, the socket keeps the process alive while a request is on it
   */
  private timer: NodeJS.Timeout | null = null;
  private timerMs = 0;

  constructor(host: string, port: number, private readonly release: (c: Conn, reuse: boolean) => void) {
    // reads land in one buffer shared by all sockets, handed over without a Readable stream's
    // 'data' event and a new Buffer per read (issue #20, CPU per op); what outlives the callback is copied
    this.socket = net.connect({ host, port, noDelay: true, onread: { buffer: READ_BUFFER, callback: (n) => { this.onData(READ_BUFFER.subarray(0, n)); return true; } } });
    this.socket.on('connect', () => {
      this.connected = true;
      if (this.pending) this.pending.sent = true;
    });
    this.socket.on('error', (e: NodeJS.ErrnoException) => this.fail(e));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
  }

  send(text: string, r: Request): void {
    this.pending = r;
    r.conn = this;
    r.sent = this.connected;
    this.head = null;
    this.chunks = [];
    this.have = 0;
    this.armTimer(r.timeoutMs);
    this.socket.ref();
    this.socket.write(text);
  }

  destroy(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket.destroy();
  }

  private armTimer(ms: number): void {
    if (this.timer && this.timerMs === ms) { this.timer.refresh(); return; }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(timeOut, ms, this).unref();
    this.timerMs = ms;
  }

  private fail(e: NodeJS.ErrnoException): void {
    const wasClosed = this.closed;
    this.closed = true;
    const r = this.pending;
    this.pending = null;
    if (!wasClosed) this.release(this, false);
    if (r) r.done(r.sent ? unknownOf(e) : errorBeforeSending(e));
    this.destroy();
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
    // a response cut across reads: keep its bytes, the shared buffer is overwritten by the next read
    if (this.buf) this.buf = owned(this.buf);
    for (let i = 0; i < this.chunks.length; i++) this.chunks[i] = owned(this.chunks[i]!);
  }

  private parse(): void {
    while (this.pending && this.buf) {
      if (!this.head) {
        const end = this.buf.indexOf(CRLFCRLF);
        if (end < 0) { if (this.buf.length > 64 * 1024) throw new Error('response head over 64 KiB'); return; }
        const head = parseResponseHead(this.buf.toString('latin1', 0, end));
        this.buf = end + 4 < this.buf.length ? this.buf.subarray(end + 4) : null;
        if (head.status >= 100 && head.status < 200) continue; // interim answer: the real one follows
        this.head = head;
        if (head.length === 0) { this.complete(head.close); return; }
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
      const need = h.length - this.have;
      if (this.buf.length < need) { this.chunks.push(this.buf); this.have += this.buf.length; this.buf = null; return; }
      this.chunks.push(need < this.buf.length ? this.buf.subarray(0, need) : this.buf);
      this.buf = need < this.buf.length ? this.buf.subarray(need) : null;
      this.complete(h.close);
      return;
    }
  }

  private complete(close: boolean): void {
    const r = this.pending!;
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
    r.done(outcomeOf(status, body.toString('utf8')));
  }
}

/** the timer last armed fires `ms` after the current request was sent: that one timed out (if it is still on) */
function timeOut(c: Conn): void {
  c.pending?.cut('timeout');
}

/** One node's JSON API: `call(method, path, body, signal)`; `close()` drops its sockets. */
export class JsonClient {
  private readonly idle: Conn[] = [];
  private readonly all = new Set<Conn>();
  /**
   * the callers' signals this client listens on, each with its listener: one per signal for all
   * its requests rather than one added and removed per request (a worker calls with one signal)
   */
  private readonly listening = new Map<AbortSignal, () => void>();
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
    if (!this.listening.has(signal)) this.listen(signal);
    const r = new Request(signal, timeoutMs, this);
    const answer = new Promise<HttpOutcome>((resolve) => { r.resolve = resolve; });
    (this.idle.pop() ?? this.open()).send(text, r);
    return answer;
  }

  close(): void {
    for (const [signal, listener] of this.listening) signal.removeEventListener('abort', listener);
    this.listening.clear();
    for (const c of this.all) c.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  drop(c: Conn): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /**
   * Listens on a new signal, and stops listening on those no request of this client is under now:
   * a caller passing a fresh signal per call leaves at most one listener behind, not one per call.
   */
  private listen(signal: AbortSignal): void {
    const inUse = new Set<AbortSignal>();
    for (const c of this.all) if (c.pending) inUse.add(c.pending.signal);
    for (const [s, l] of this.listening) if (!inUse.has(s)) { s.removeEventListener('abort', l); this.listening.delete(s); }
    // the caller's signal aborted: every request of this client under it ends as interrupted
    const listener = () => { for (const c of [...this.all]) if (c.pending?.signal === signal) c.pending.cut('interrupted'); };
    signal.addEventListener('abort', listener, { once: true });
    this.listening.set(signal, listener);
  }

  private open(): Conn {
    const c = new Conn(this.host, this.port, (conn, reuse) => {
      if (reuse && this.all.has(conn) && this.idle.length < MAX_IDLE) this.idle.push(conn);
      else { if (reuse) conn.destroy(); this.drop(conn); }
    });
    this.all.add(c);
    return c;
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
