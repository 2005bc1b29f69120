/**
 * Partition through blackholing proxies, the way the local harness cuts links: every directed
 * link A→B goes through its own proxy (A's --peers names the proxy), and a cut link silently
 * drops bytes — no RST. Nodes must notice (phi, silent connection), keep serving, and repair the
 * writes each side missed by anti-entropy once the link heals, without an admin sync.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import net from 'node:net';
import { loadConfig, type NodeConfig } from '../config.ts';
import { startNode, type RunningNode } from '../shell/server.ts';
import { freePorts, http } from './procs.ts';

class BlackholeProxy {
  blackhole = false;
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  constructor(private readonly target: number) {}
  async listen(port: number): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: this.target });
      for (const s of [client, upstream]) { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); s.on('error', () => {}); }
      client.on('data', (d) => { if (!this.blackhole) upstream.write(d); });
      upstream.on('data', (d) => { if (!this.blackhole) client.write(d); });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server?.close(r));
  }
}

async function until(what: string, deadlineMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`gave up waiting for: ${what}`);
}

test('a blackholed partition is detected and healed by anti-entropy alone', { timeout: 60_000 }, async (t) => {
  const ids = ['n1', 'n2', 'n3'];
  const ports = await freePorts(6 + 6);
  const peerPort = (i: number) => ports[i]!, httpPort = (i: number) => ports[3 + i]!;
  const proxies = new Map<string, BlackholeProxy>();
  const nodes: RunningNode[] = [];
  const logs: string[] = [];
  t.onTestFinished(async () => {
    for (const n of nodes) await n.close();
    for (const p of proxies.values()) await p.close();
  });
  let next = 6;
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
    if (a === b) continue;
    const p = new BlackholeProxy(peerPort(b));
    await p.listen(ports[next++]!);
    proxies.set(`${ids[a]}>${ids[b]}`, p);
  }
  const proxyPort = (a: number, b: number) => ports[6 + (a * 2 + (b > a ? b - 1 : b))]!;
  for (let i = 0; i < 3; i++) {
    const cfg = loadConfig(['--id', ids[i]!, '--listen', `127.0.0.1:${peerPort(i)}`, '--http', `127.0.0.1:${httpPort(i)}`,
      '--peers', ids.map((id, j) => `${id}@127.0.0.1:${proxyPort(i, j)}`).filter((_, j) => j !== i).join(','),
      '--heartbeat-interval', '100', '--anti-entropy-interval', '300', '--log-level', 'debug']) as NodeConfig;
    nodes.push(await startNode(cfg, (l) => logs.push(l)));
  }
  const base = (i: number) => `http://127.0.0.1:${httpPort(i)}`;
  const value = async (i: number, k: string) => (await http(base(i), 'GET', `/kv/${k}`)).body.value;
  const peerAlive = async (i: number, peer: string) => ((await http(base(i), 'GET', '/admin/status')).body.peers as { id: string; alive: boolean }[]).find((p) => p.id === peer)!.alive;

  await until('all peers alive', 15_000, async () => (await Promise.all([0, 1, 2].map((i) => http(base(i), 'GET', '/admin/status')))).every((s) => s.body.peers.every((p: { alive: boolean }) => p.alive)));
  assert.equal((await http(base(0), 'PUT', '/kv/before', { value: 1 })).status, 200);
  await until('"before" everywhere', 10_000, async () => (await Promise.all([0, 1, 2].map((i) => value(i, 'before')))).every((v) => v === 1));

  // isolate n3: every link to and from it drops bytes silently
  for (const [k, p] of proxies) if (k.includes('n3')) p.blackhole = true;
  assert.equal((await http(base(0), 'PUT', '/kv/left', { value: 'n1 side' })).status, 200);
  assert.equal((await http(base(2), 'PUT', '/kv/right', { value: 'n3 side' })).status, 200, 'the minority side stays available');
  await until('n1 suspects n3', 15_000, async () => !(await peerAlive(0, 'n3')));
  await until('n1 gives up on the silent connection', 15_000, async () => /n1 info connection to n3 silent for \d+ ms; redialling/.test(logs.join('\n')));
  assert.equal(await value(2, 'left'), null);
  assert.equal(await value(0, 'right'), null);

  for (const p of proxies.values()) p.blackhole = false;
  await until('both sides repaired without an admin sync', 30_000, async () =>
    (await value(2, 'left')) === 'n1 side' && (await value(0, 'right')) === 'n3 side' && (await value(1, 'right')) === 'n3 side');
  const roots = await Promise.all([0, 1, 2].map(async (i) => (await http(base(i), 'GET', '/admin/status')).body.merkleRoot));
  assert.equal(new Set(roots).size, 1);
  assert.match(logs.join('\n'), /n1 info peer n3 suspect/);
});
