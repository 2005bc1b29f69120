/**
 * JSON over HTTP for systems whose nodes speak it (maep, the example system), with the error
 * mapping a Jepsen client needs:
 * - a 2xx answer → ok;
 * - a 4xx answer is a definite refusal → refused (the caller maps it to fail);
 * - the connection refused (nothing was sent) → refused;
 * - a timeout, a reset after sending, a 5xx → unknown: the request may or may not have been applied.
 *
 * One keep-alive agent per client keeps connections open between ops; each request has one timer
 * and at most one listener on the caller's signal, removed when the request ends (composing
 * signals per request left listeners behind on the run's interrupt signal).
 */
import http from 'node:http';

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

/** One node's JSON API: `call(method, path, body, signal)`; `close()` drops its idle sockets. */
export class JsonClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(readonly base: string, private readonly opts: JsonClientOptions) {}

  call(method: string, path: string, body: unknown, signal: AbortSignal, timeoutMs = this.opts.timeoutMs): Promise<HttpOutcome> {
    if (signal.aborted) return Promise.resolve({ kind: 'unknown', error: 'interrupted' });
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<HttpOutcome>((resolve) => {
      let settled = false;
      let sent = false;
      const finish = (o: HttpOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const req = http.request(this.base + path, {
        method,
        agent: this.agent,
        headers: {
          ...this.opts.headers,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => finish(unknownOf(e)));
        res.on('end', () => finish(outcomeOf(res.statusCode ?? 0, Buffer.concat(chunks).toString())));
      });
      const timer = setTimeout(() => { finish({ kind: 'unknown', error: 'timeout' }); req.destroy(); }, timeoutMs);
      const onAbort = () => { finish({ kind: 'unknown', error: 'interrupted' }); req.destroy(); };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('finish', () => { sent = true; });
      req.on('error', (e) => finish(sent ? unknownOf(e) : errorBeforeSending(e)));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
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
