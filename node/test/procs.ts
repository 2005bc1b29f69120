/** Test helpers: free loopback ports, maep processes, small JSON HTTP client. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = join(root, 'node', 'main.ts');

export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      servers.push(s);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export interface NodeProc { child: ChildProcess; out: string[]; err: string[]; exited: Promise<number | null> }

/** start `node --import tsx node/main.ts ...args`; resolves once it printed its ready line */
export async function startMaep(args: string[], timeoutMs = 20_000): Promise<NodeProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [], err: string[] = [];
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`maep ${args.join(' ')} not ready in ${timeoutMs} ms; stderr: ${err.join('')}`)), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out.push(d);
      if (out.join('').includes(' ready http=')) { clearTimeout(timer); resolve(); }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => err.push(d));
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`maep exited with ${code} before ready: ${err.join('')}`)); });
  });
  const p = { child, out, err, exited };
  try { await ready; } catch (e) { child.kill('SIGKILL'); throw e; }
  return p;
}

export async function stopMaep(p: NodeProc, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  return p.exited;
}

export async function runMaep(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { code, stderr };
}

export async function http(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* metrics are text */ }
  // the raw text rides along non-enumerable, so deepEqual on {status, body} still works
  return Object.defineProperty({ status: res.status, body: parsed }, 'text', { value: text, enumerable: false }) as { status: number; body: any; text: string };
}

/** the port node `from` dials to reach node `to`, or undefined for the peer's own */
export type PeerRoute = (from: number, to: number) => number | undefined;

/** a cluster of maep processes on loopback, each with its own data dir under `dir` */
export class Cluster {
  readonly ids: string[];
  readonly procs = new Map<number, NodeProc>();
  private constructor(readonly dir: string, readonly ports: number[], n: number, private readonly extra: (i: number) => string[], private readonly route?: PeerRoute) {
    this.ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  }

  /** `route` may send a node's dialled link to a peer through another port (a relay) */
  static async create(dir: string, n: number, extra: (i: number) => string[] = () => [], route?: PeerRoute): Promise<Cluster> {
    return new Cluster(dir, await freePorts(2 * n), n, extra, route);
  }

  peerPort(i: number): number { return this.ports[i]!; }
  httpPort(i: number): number { return this.ports[this.ids.length + i]!; }
  base(i: number): string { return `http://127.0.0.1:${this.httpPort(i)}`; }

  args(i: number, more: string[] = []): string[] {
    return ['--id', this.ids[i]!, '--listen', `127.0.0.1:${this.peerPort(i)}`, '--http', `127.0.0.1:${this.httpPort(i)}`,
      '--peers', this.ids.map((id, j) => `${id}@127.0.0.1:${this.route?.(i, j) ?? this.peerPort(j)}`).filter((_, j) => j !== i).join(','),
      '--data', join(this.dir, this.ids[i]!), '--anti-entropy-interval', '300', ...this.extra(i), ...more];
  }

  async start(i: number, more: string[] = []): Promise<NodeProc> {
    const p = await startMaep(this.args(i, more));
    this.procs.set(i, p);
    return p;
  }

  async startAll(): Promise<void> { await Promise.all(this.ids.map((_, i) => this.start(i))); }

  async stop(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(i);
    if (p) { await stopMaep(p, signal); this.procs.delete(i); }
  }

  async stopAll(): Promise<void> { for (const i of [...this.procs.keys()]) await this.stop(i); }

  /** anti-entropy on every running node until all report the same Merkle root */
  async converge(timeoutMs = 20_000, headers: Record<string, string> = {}): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const running = [...this.procs.keys()];
      for (const i of running) await http(this.base(i), 'POST', '/admin/sync', undefined, headers);
      const roots = await Promise.all(running.map(async (i) => (await http(this.base(i), 'GET', '/admin/status', undefined, headers)).body.merkleRoot as string));
      if (new Set(roots).size === 1) return roots[0]!;
      if (Date.now() > until) throw new Error(`no convergence in ${timeoutMs} ms: roots ${roots.join(' ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** one Prometheus sample's value (0 if absent) */
export function metric(text: string, name: string, labels = ''): number {
  const esc = (name + labels).replace(/[{}"\\]/g, (c) => '\\' + c);
  const m = new RegExp(`^${esc} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}
