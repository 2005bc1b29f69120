/**
 * The run browser's HTTP server (loopback only by default). Routes:
 *   GET /                          index of runs (?workload=&verdict= filters)
 *   GET /runs/<test>/<stamp>/      → report.html
 *   GET /runs/<test>/<stamp>/<f>   a file of that run (report.html is (re)generated when missing
 *                                  or older than the run's history/results)
 * Paths never leave the store: every request is resolved and checked against it.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { writeReport } from '../report/index.ts';
import { renderIndex } from './index-page.ts';
import { listRuns } from './runs.ts';

export interface ServeOptions { store: string; port: number; host?: string }
export interface Served { url: string; close(): Promise<void> }

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.json': 'application/json; charset=utf-8', '.jsonl': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.png': 'image/png', '.edn': 'text/plain; charset=utf-8',
};

function send(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8') {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** report.html is stale when the run's history or results are newer than it. */
function stale(dir: string): boolean {
  const rep = join(dir, 'report.html');
  if (!existsSync(rep)) return true;
  const t = statSync(rep).mtimeMs;
  return ['history.jsonl', 'results.json', 'test.json'].some((f) => existsSync(join(dir, f)) && statSync(join(dir, f)).mtimeMs > t);
}

export async function serve(opts: ServeOptions): Promise<Served> {
  const store = resolve(opts.store);
  const host = opts.host ?? '127.0.0.1';
  const building = new Map<string, Promise<string>>();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'only GET');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const f = { workload: url.searchParams.get('workload') || undefined, verdict: url.searchParams.get('verdict') || undefined };
      return send(res, 200, renderIndex(listRuns(store), f, store), TYPES['.html']);
    }
    if (url.pathname === '/favicon.ico') { res.writeHead(204); return res.end(); }
    const m = /^\/runs\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!m) return send(res, 404, 'not found');
    let parts: string[];
    try { parts = [m[1], m[2], ...(m[3] ?? '/').slice(1).split('/')].map(decodeURIComponent); } catch { return send(res, 400, 'bad path'); }
    if (parts.some((p) => p === '..' || p.includes('\0'))) return send(res, 400, 'bad path');
    const runDir = resolve(store, parts[0], parts[1]);
    if (!runDir.startsWith(store + sep) || !existsSync(join(runDir, 'test.json'))) return send(res, 404, `no run ${parts[0]}/${parts[1]} in ${store}`);
    const rest = parts.slice(2).filter((p) => p !== '').join('/');
    if (rest === '') { res.writeHead(302, { location: `${url.pathname.replace(/\/?$/, '/')}report.html` }); return res.end(); }
    if (rest === 'report.html' && stale(runDir)) {
      let p = building.get(runDir);
      if (!p) { p = writeReport(runDir).finally(() => building.delete(runDir)); building.set(runDir, p); }
      try { await p; } catch (e) { return send(res, 500, `could not generate the report: ${(e as Error).message}`); }
    }
    const file = resolve(runDir, rest);
    if (!file.startsWith(runDir + sep) || !existsSync(file) || !statSync(file).isFile()) return send(res, 404, `no file ${rest} in this run`);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => { if (!res.headersSent) send(res, 500, String((e as Error).message)); else res.destroy(); });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE'
      ? new Error(`port ${opts.port} on ${host} is already in use; pick another with --port`)
      : e));
    server.listen(opts.port, host, () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
