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

export async function http(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* metrics are text */ }
  return { status: res.status, body: parsed };
}
