/**
 * tiny-kv: a tiny replicated key-value server, written as the example system under test of the
 * README's "Test your own system" (its splitbrain plug-in is system.ts beside this file).
 *
 * It is a real AP store, on purpose small:
 * - every node answers from its own copy; a write is applied locally, saved, acknowledged, and
 *   only then pushed to the peers (asynchronously, fire and forget);
 * - every --push-interval-ms each node also pushes its whole state to every peer (anti-entropy),
 *   so a node that missed pushes (partition, pause, kill) catches up after the fault;
 * - a conflict is settled per key by last-writer-wins on (timestamp, node id), a total order, so
 *   nodes that saw the same writes hold the same data;
 * - the data is kept in memory and in <dir>/state.json (written before a write is acknowledged),
 *   so a killed node restarts with what it acknowledged.
 *
 * Flags: --node-id ID --api-port N --repl-port N --dir DIR [--bind HOST]
 *        [--replicate-to id=host:port,...] [--clock-file PATH] [--bank-accounts N] [--bank-balance B]
 *        [--push-interval-ms MS]
 * Client API (JSON, on the api port):
 *   GET /health → {node};  GET /reg/:k → {value};  PUT /reg/:k {value};
 *   POST /reg/:k/cas {from, to} (409 when the node's value is not `from`);
 *   GET /accounts → {balances};  POST /accounts/transfer {from, to, amount} (409 when short);
 *   GET /dump → {registers, balances, digest};  POST /sync → pushes the whole state to every peer now.
 * Peer API (on the repl port): POST /merge {entries}.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({
  options: {
    'node-id': { type: 'string' }, bind: { type: 'string', default: '127.0.0.1' },
    'api-port': { type: 'string' }, 'repl-port': { type: 'string' }, dir: { type: 'string' },
    'replicate-to': { type: 'string', default: '' }, 'clock-file': { type: 'string' },
    'bank-accounts': { type: 'string', default: '8' }, 'bank-balance': { type: 'string', default: '10' },
    'push-interval-ms': { type: 'string', default: '500' },
  },
});
for (const f of ['node-id', 'api-port', 'repl-port', 'dir'] as const) {
  if (!flags[f]) { console.error(`tiny-kv: --${f} is required`); process.exit(2); }
}
const ID = flags['node-id']!;
const DIR = flags.dir!;
const PEERS = flags['replicate-to']!.split(',').filter(Boolean).map((s) => {
  const [id, addr] = s.split('=');
  const i = addr!.lastIndexOf(':');
  return { id: id!, host: addr!.slice(0, i), port: Number(addr!.slice(i + 1)) };
});

/** one key's value and the (timestamp, node) that wrote it; keys are "reg/<k>" and "acct/<k>" */
interface Entry { value: unknown; ts: number; node: string }
const store = new Map<string, Entry>();
const FILE = join(DIR, 'state.json');

/** wall-clock ms, shifted by the offset in --clock-file when the harness skews this node's clock */
function now(): number {
  let offset = 0;
  if (flags['clock-file']) { try { offset = Number(readFileSync(flags['clock-file'], 'utf8').trim()) || 0; } catch { /* no file yet: no offset */ } }
  return Date.now() + offset;
}

const newer = (a: Entry, b: Entry | undefined) => !b || a.ts > b.ts || (a.ts === b.ts && a.node > b.node);

/** written to a temp file and renamed, so a kill never leaves half a file */
function save(): void {
  writeFileSync(FILE + '.tmp', JSON.stringify([...store]));
  renameSync(FILE + '.tmp', FILE);
}

mkdirSync(DIR, { recursive: true });
if (existsSync(FILE)) {
  for (const [k, e] of JSON.parse(readFileSync(FILE, 'utf8')) as [string, Entry][]) store.set(k, e);
} else {
  // every node starts from the same accounts (timestamp 0), so they agree before any transfer
  for (let a = 0; a < Number(flags['bank-accounts']); a++) store.set(`acct/${a}`, { value: Number(flags['bank-balance']), ts: 0, node: '' });
  save();
}

/** a local write always supersedes what this node holds (its timestamp is above the current one) */
function put(key: string, value: unknown): [string, Entry] {
  const e = { value, ts: Math.max(now(), (store.get(key)?.ts ?? 0) + 1), node: ID };
  store.set(key, e);
  return [key, e];
}

function merge(entries: [string, Entry][]): void {
  let changed = false;
  for (const [k, e] of entries) if (newer(e, store.get(k))) { store.set(k, e); changed = true; }
  if (changed) save();
}

/** POST the entries to one peer's /merge; resolves when it answered or after 1 s, never rejects */
function send(peer: (typeof PEERS)[number], entries: [string, Entry][]): Promise<void> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ entries });
    const req = http.request({ host: peer.host, port: peer.port, path: '/merge', method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
    const timer = setTimeout(() => req.destroy(), 1000);
    req.on('close', () => { clearTimeout(timer); resolve(); });
    req.on('error', () => {});
    req.end(body);
  });
}

const pushing = new Set<string>();
/** the whole state to every peer; at most one full push per peer at a time (a partition stalls them) */
function pushAll(): Promise<void[]> {
  const all = [...store];
  return Promise.all(PEERS.filter((p) => !pushing.has(p.id)).map(async (p) => {
    pushing.add(p.id);
    try { await send(p, all); } finally { pushing.delete(p.id); }
  }));
}
setInterval(() => void pushAll(), Number(flags['push-interval-ms']));

function dump() {
  const registers: Record<string, unknown> = {};
  const balances: Record<string, unknown> = {};
  for (const [k, e] of store) {
    const [space, name] = k.split('/') as [string, string];
    (space === 'reg' ? registers : balances)[name] = e.value;
  }
  // the digest covers every entry with its timestamp: equal digests mean equal data
  const digest = createHash('sha256').update(JSON.stringify([...store].sort((a, b) => (a[0] < b[0] ? -1 : 1)))).digest('hex').slice(0, 16);
  return { registers, balances, digest };
}

type Answer = [number, unknown];
const fail = (status: number, error: string): Answer => [status, { error }];

function handle(method: string, path: string, body: any): Answer | Promise<Answer> {
  if (method === 'GET' && path === '/health') return [200, { node: ID }];
  if (method === 'GET' && path === '/dump') return [200, dump()];
  if (method === 'POST' && path === '/sync') return pushAll().then(() => [200, {}]);
  if (method === 'GET' && path === '/accounts') return [200, { balances: dump().balances }];
  if (method === 'POST' && path === '/accounts/transfer') {
    const { from, to, amount } = body ?? {};
    const src = store.get(`acct/${from}`);
    const dst = store.get(`acct/${to}`);
    if (!src || !dst || from === to || !Number.isInteger(amount) || amount <= 0) return fail(400, 'bad transfer');
    if ((src.value as number) < amount) return fail(409, 'insufficient funds');
    // both halves at once, from this node's view: a concurrent transfer on another node that
    // touches the same account writes its own balance, and last-writer-wins keeps only one
    const entries = [put(`acct/${from}`, (src.value as number) - amount), put(`acct/${to}`, (dst.value as number) + amount)];
    return replicate(entries, [200, { from, to, amount }]);
  }
  const reg = /^\/reg\/([^/]+)(\/cas)?$/.exec(path);
  if (reg) {
    const key = `reg/${reg[1]}`;
    const current = store.get(key)?.value ?? null;
    if (method === 'GET' && !reg[2]) return [200, { value: current }];
    if (method === 'PUT' && !reg[2]) return replicate([put(key, body?.value ?? null)], [200, {}]);
    if (method === 'POST' && reg[2]) {
      if (JSON.stringify(current) !== JSON.stringify(body?.from ?? null)) return fail(409, 'value differs');
      return replicate([put(key, body?.to ?? null)], [200, {}]);
    }
  }
  return fail(404, `no route ${method} ${path}`);
}

/** saved before the answer (so it survives a kill); pushed to the peers after it, without waiting */
function replicate(entries: [string, Entry][], answer: Answer): Answer {
  save();
  setImmediate(() => { for (const p of PEERS) void send(p, entries); });
  return answer;
}

function serve(port: string, route: (method: string, path: string, body: any) => Answer | Promise<Answer>): void {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let answer: Answer;
      try {
        const text = Buffer.concat(chunks).toString();
        answer = await route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x').pathname, text ? JSON.parse(text) : null);
      } catch (e) {
        answer = fail(400, (e as Error).message);
      }
      res.writeHead(answer[0], { 'content-type': 'application/json' }).end(JSON.stringify(answer[1]));
    });
  });
  // the harness's runtime reads "EADDRINUSE" in the log and retries on other ports
  server.on('error', (e) => { console.error(`tiny-kv ${ID}: cannot listen on ${flags.bind}:${port}: ${(e as NodeJS.ErrnoException).code ?? e.message}`); process.exit(1); });
  server.listen(Number(port), flags.bind);
}

serve(flags['api-port']!, handle);
serve(flags['repl-port']!, (method, path, body) => {
  if (method !== 'POST' || path !== '/merge' || !Array.isArray(body?.entries)) return fail(404, 'no such route');
  merge(body.entries);
  return [200, {}];
});
console.log(`tiny-kv ${ID}: api ${flags.bind}:${flags['api-port']}, replication ${flags.bind}:${flags['repl-port']}, peers ${PEERS.map((p) => p.id).join(',') || 'none'}`);
