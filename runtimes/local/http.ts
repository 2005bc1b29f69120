/** A minimal JSON-over-HTTP client for talking to nodes: no pooled keep-alive sockets left open. */
import http from 'node:http';

export interface HttpResult {
  status: number;
  body: unknown;
}

export function httpJson(url: string, opts: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(url, {
      method: opts.method ?? 'GET',
      agent: false,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      timeout: opts.timeoutMs ?? 2000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try { body = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 2000} ms: ${opts.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });
}
