/**
 * `npm run bench -- node [--quick]`: maep's figures.
 *  1. writes/s through the core alone (Replica.client put, 2 live peers, PUSH messages built but not
 *     sent), next to a baseline measured in the same run: what any content-addressed store must do
 *     per write (JSON.stringify the op, sha256 it, Map.set) — the ratio says what the core adds
 *  2. writes/s over HTTP with keep-alive under `wrk` (Debian's; installed with apt-get when missing
 *     and root): one maep process, 50 connections, PUT /kv/k<i%1000>, for --fsync always (group
 *     commit) and never, and n1 of a 3-node cluster with a cluster key (every write also pushed to
 *     two peers over tagged links; server CPU is n1's alone), next to a plain node:http server in its own process answering every PUT
 *     with maep's own reply bytes (same run, trials interleaved): maep / plain is the figure. Without
 *     wrk the bench's own node load generator is used and says so (it tops out near 8k req/s on a
 *     2-core machine, so it measures itself more than the server)
 *  3. anti-entropy: bytes and time to reconcile 1,000 and 100,000 missing ops out of 1,000,000,
 *     through the real wire codec, compared with the missing ops' own encoded size
 *  4. what the frame tags of wire v2 cost a peer link: frames/s through encode → tag → FrameDecoder
 *     (verify) → decode, next to the same frames untagged (wire v1's work) in the same run, interleaved
 * Each figure is the median of several trials. Not a test: nothing is asserted.
 * Flags: --quick (short run), --reconcile-only (skip the throughput part), --frames-only (only 4).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Packr } from 'msgpackr';
import { MemNet } from '../node/core/memnet.ts';
import type { Message } from '../node/core/messages.ts';
import { decodeMessage, encodeMessage } from '../node/wire/codec.ts';
import { FrameDecoder } from '../node/wire/frame.ts';
import { FrameMac } from '../node/wire/frame-mac.ts';
import { makeOp, opToWire, type Op } from '../node/core/ops.ts';
import { freePorts, startMaep, stopMaep } from '../node/test/procs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** ops per wall-clock second and per CPU second (the latter is far less sensitive to a busy machine) */
function coreWrites(n: number): { wall: number; cpu: number } {
  const net = MemNet.cluster(['n1', 'n2', 'n3']);
  net.warmUp();
  const r = net.node('n1');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const { fx } = r.client({ t: 'put', key: `k${i % 1000}`, value: i });
    if (fx.sends.length !== 2) throw new Error('expected a push to each live peer');
  }
  const c = process.cpuUsage(c0);
  return { wall: n / ((performance.now() - t0) / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

/** the floor of a content-addressed write: the op's JSON, its sha256, one Map.set (same loop shape) */
function baselineWrites(n: number): { wall: number; cpu: number } {
  const store = new Map<string, unknown>();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const op = { origin: 'n1', seq: i + 1, ts: Date.now(), vv: { n2: 0, n3: 0 }, kind: 'put', key: `k${i % 1000}`, payload: { value: i } };
    store.set(createHash('sha256').update(JSON.stringify(op)).digest('hex'), op);
  }
  const c = process.cpuUsage(c0);
  return { wall: n / ((performance.now() - t0) / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

/** CPU seconds used so far by process `pid` (Linux /proc; NaN elsewhere) */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch { return NaN; }
}

// ------------------------------------------------------------------ HTTP load (second process)

interface LoadResult { requests: number; seconds: number; p50: number; p99: number; errors: number; serverCpu?: number }

async function loadWorker(target: string, conns: number, seconds: number): Promise<LoadResult> {
  const [host, port] = target.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const one = (i: number) => new Promise<void>((resolve) => {
    const body = `{"value":${i}}`;
    const t0 = performance.now();
    const req = http.request({ host, port: Number(port), method: 'PUT', path: `/kv/k${i % 1000}`, agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode === 200) lat.push(performance.now() - t0); else errors++; resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(body);
  });
  const start = performance.now();
  let i = 0;
  await Promise.all(Array.from({ length: conns }, async () => { while (performance.now() < end) await one(i++); }));
  const secs = (performance.now() - start) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { requests: lat.length, seconds: secs, p50: lat[Math.floor(lat.length * 0.5)] ?? NaN, p99: lat[Math.floor(lat.length * 0.99)] ?? NaN, errors };
}

function runLoadProcess(target: string, conns: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'node.ts')], {
      env: { ...process.env, MAEP_BENCH_LOAD: JSON.stringify({ target, conns, seconds }) }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.on('exit', (code) => { try { resolve(JSON.parse(out.trim().split('\n').pop()!)); } catch { reject(new Error(`load process exited ${code}: ${out}`)); } });
  });
}

const WRK_LUA = `
local i = 0
function request()
  i = i + 1
  return wrk.format("PUT", "/kv/k" .. (i % 1000), { ["content-type"] = "application/json" }, '{"value":' .. i .. '}')
end
`;

function haveWrk(): string | null {
  const has = () => spawnSync('wrk', ['--version']).error === undefined;
  if (has()) return null;
  if (process.getuid?.() !== 0) return 'wrk is not installed and this is not root';
  const r = spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'ignore' });
  return r.status === 0 && has() ? null : 'apt-get install -y wrk failed';
}

/** wrk -t2 -c50: requests/s and latency quantiles (ms) */
function wrkRun(target: string, seconds: number, script: string): LoadResult {
  const r = spawnSync('wrk', ['-t2', '-c50', `-d${seconds}s`, '--latency', '-s', script, `http://${target}/`], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s*([\d.]+)/.exec(r.stdout)?.[1]);
  if (!Number.isFinite(rps)) throw new Error(`wrk printed no rate:\n${r.stdout}${r.stderr}`);
  const ms = (q: string) => { const m = new RegExp(`\\s${q}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout); return m ? Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1) : NaN; };
  const errors = Number(/Non-2xx or 3xx responses:\s*(\d+)/.exec(r.stdout)?.[1] ?? 0) + (/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout)?.slice(1).reduce((a, x) => a + Number(x), 0) ?? 0);
  return { requests: rps * seconds, seconds, p50: ms('50'), p99: ms('99'), errors };
}

/** a plain node:http server in its own process: reads each body, parses it, answers with `reply` */
async function startPlain(port: number, reply: string): Promise<{ pid: number; stop(): void }> {
  const script = `
const http = require('node:http');
const reply = process.env.REPLY;
http.createServer({ keepAlive: true }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
    res.end(reply);
  });
}).listen(${port}, '127.0.0.1', () => console.log('up'));`;
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, REPLY: reply }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`plain server exited ${c}`)));
  });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

/** maep's own answer to one PUT, to be the plain server's answer */
function oneReply(target: string): Promise<string> {
  const [host, port] = target.split(':');
  return new Promise((resolve, reject) => {
    const body = '{"value":1}';
    const req = http.request({ host, port: Number(port), method: 'PUT', path: '/kv/k0', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Server { label: string; target: string; pid: number }

/** maep with --fsync always and never, and the plain server; trials interleaved; each result with the server's CPU time */
async function httpBench(trials: number, seconds: number): Promise<{ label: string; runs: LoadResult[] }[]> {
  const noWrk = haveWrk();
  console.log(noWrk ? `load: the bench's own node generator (${noWrk}); it tops out near 8k req/s on 2 cores, so these figures are the generator's` : 'load: wrk -t2 -c50 (PUT /kv/k<i%1000>, {"value":i})');
  const dirs: string[] = [];
  const nodes: Awaited<ReturnType<typeof startMaep>>[] = [];
  let plain: { pid: number; stop(): void } | null = null;
  const script = join(mkdtempSync(join(tmpdir(), 'maep-bench-lua-')), 'put.lua');
  writeFileSync(script, WRK_LUA);
  try {
    const servers: Server[] = [];
    for (const fsync of ['never', 'always']) {
      const dir = mkdtempSync(join(tmpdir(), 'maep-bench-'));
      dirs.push(dir);
      const [p, h] = await freePorts(2);
      const node = await startMaep(['--id', 'n1', '--listen', `127.0.0.1:${p}`, '--http', `127.0.0.1:${h}`, '--data', dir, '--fsync', fsync, '--log-level', 'warn']);
      nodes.push(node);
      servers.push({ label: `maep --fsync ${fsync}`, target: `127.0.0.1:${h}`, pid: node.child.pid! });
    }
    // the same PUTs on n1 of a 3-node cluster with a cluster key: each write is also pushed to two
    // peers over authenticated links (and their anti-entropy and heartbeats run meanwhile)
    const dir = mkdtempSync(join(tmpdir(), 'maep-bench-cluster-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'key'), 'bench cluster key 0123456789abcdef\n');
    const ports = await freePorts(6);
    const peerOf = (i: number) => `n${i + 1}@127.0.0.1:${ports[i]}`;
    const members = await Promise.all([0, 1, 2].map((i) => startMaep(['--id', `n${i + 1}`, '--listen', `127.0.0.1:${ports[i]}`, '--http', `127.0.0.1:${ports[3 + i]}`,
      '--peers', [0, 1, 2].filter((j) => j !== i).map(peerOf).join(','), '--data', join(dir, `n${i + 1}`), '--fsync', 'never', '--log-level', 'warn', '--cluster-key-file', join(dir, 'key')])));
    nodes.push(...members);
    servers.push({ label: 'maep --fsync never, n1 of 3 with a cluster key', target: `127.0.0.1:${ports[3]}`, pid: members[0]!.child.pid! });
    const reply = await oneReply(servers[0]!.target);
    const [pp] = await freePorts(1);
    plain = await startPlain(pp!, reply);
    servers.unshift({ label: 'plain node:http', target: `127.0.0.1:${pp}`, pid: plain.pid });
    const load = (target: string, secs: number) => (noWrk ? runLoadProcess(target, 50, secs) : Promise.resolve(wrkRun(target, secs, script)));
    for (const s of servers) await load(s.target, 1); // warm-up (JIT)
    const out = servers.map((s) => ({ label: s.label, runs: [] as LoadResult[] }));
    for (let t = 0; t < trials; t++) {
      for (let k = 0; k < servers.length; k++) {
        const s = servers[(k + t) % servers.length]!; // rotate who goes first
        const c0 = cpuSeconds(s.pid);
        const r = await load(s.target, seconds);
        r.serverCpu = cpuSeconds(s.pid) - c0;
        out[servers.indexOf(s)]!.runs.push(r);
      }
    }
    return out;
  } finally {
    plain?.stop();
    for (const n of nodes) await stopMaep(n);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(dirname(script), { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ reconciliation

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

function makeOps(total: number): Op[] {
  const origins = ['n1', 'n2', 'n3'];
  const seq = [0, 0, 0];
  const ops: Op[] = [];
  for (let i = 0; i < total; i++) {
    const o = i % 3;
    seq[o]!++;
    const vv: Record<string, number> = {};
    origins.forEach((id, j) => { const s = j === o ? seq[o]! - 1 : seq[j]!; if (s > 0) vv[id] = s; });
    ops.push(makeOp({ origin: origins[o]!, seq: seq[o]!, ts: 1_700_000_000_000 + i, vv, kind: 'put', key: `k${i % 10_000}`, payload: { value: i } }));
  }
  return ops;
}

interface ReconcileResult { missing: number; shape: string; bytes: number; opBytes: number; ms: number; frames: number; converged: boolean }

function reconcile(all: Op[], missing: Set<Op>, shape: string, merkleDepth = 4, maxListedHoles = 4096): ReconcileResult {
  const net = new MemNet();
  const a = net.add('a', { seeds: [{ id: 'b', addr: 'mem' }], merkleDepth, maxListedHoles });
  const b = net.add('b', { seeds: [{ id: 'a', addr: 'mem' }], merkleDepth, maxListedHoles });
  a.restore(all);
  b.restore(all.filter((op) => !missing.has(op)));
  let opBytes = 0;
  for (const op of missing) opBytes += packr.pack(opToWire(op)).length;
  const t0 = performance.now();
  net.syncPair('b', 'a');
  const ms = performance.now() - t0;
  return { missing: missing.size, shape, bytes: net.bytesSent, opBytes, ms, frames: net.framesSent, converged: a.merkleRoot() === b.merkleRoot() && b.opCount() === all.length };
}

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const only = args.includes('--reconcile-only');
  console.log(`maep benchmark (${quick ? 'quick' : 'full'}${only ? ', reconcile only' : ''}), node ${process.version}, ${new Date().toISOString()}`);
  if (args.includes('--frames-only')) { frameCost(quick); return; }
  if (!only) await throughput(quick);
  reconcileAll(quick);
  if (!only) frameCost(quick);
}

async function throughput(quick: boolean): Promise<void> {
  console.log(`machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const coreN = quick ? 50_000 : 300_000;
  const core: { wall: number; cpu: number }[] = [], base: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < 5; i++) { core.push(coreWrites(coreN)); base.push(baselineWrites(coreN)); } // interleaved
  const cw = median(core.map((c) => c.wall)), bw = median(base.map((c) => c.wall));
  const cc = median(core.map((c) => c.cpu)), bc = median(base.map((c) => c.cpu));
  console.log(`core writes/s (put, 2 live peers, ${fmt(coreN)} ops): median ${fmt(cw)} per wall s [${core.map((c) => fmt(c.wall)).join(', ')}]; ${fmt(cc)} per CPU s`);
  console.log(`baseline (JSON.stringify + sha256 + Map.set per op): median ${fmt(bw)} per wall s [${base.map((c) => fmt(c.wall)).join(', ')}]; ${fmt(bc)} per CPU s`);
  console.log(`core / baseline: ${(cw / bw).toFixed(2)}× (wall), ${(cc / bc).toFixed(2)}× (CPU)`);

  const results = await httpBench(quick ? 1 : 3, quick ? 2 : 5);
  const rpsOf = (runs: LoadResult[]) => median(runs.map((r) => r.requests / r.seconds));
  const plain = rpsOf(results[0]!.runs);
  for (const { label, runs } of results) {
    const rps = runs.map((r) => r.requests / r.seconds);
    const perCpu = runs.map((r) => r.requests / (r.serverCpu ?? NaN));
    console.log(`HTTP PUT, keep-alive, 50 conns, ${label}: median ${fmt(median(rps))} req/s [${rps.map(fmt).join(', ')}]${label.startsWith('maep') ? ` = ${(median(rps) / plain).toFixed(2)}× plain node:http` : ''}, p50 ${median(runs.map((r) => r.p50)).toFixed(2)} ms, p99 ${median(runs.map((r) => r.p99)).toFixed(2)} ms, errors ${runs.reduce((s, r) => s + r.errors, 0)}; server: median ${fmt(median(perCpu))} req per CPU s`);
  }
}

function reconcileAll(quick: boolean): void {
  const total = quick ? 100_000 : 1_000_000;
  const t0 = performance.now();
  const all = makeOps(total);
  console.log(`built ${fmt(total)} ops in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const k of quick ? [1_000, 10_000] : [1_000, 100_000]) {
    // the common case: a node cut off for a while lacks the newest ops of every origin
    const tail = new Set(all.slice(all.length - k));
    const trials = [0, 1, 2].map(() => reconcile(all, tail, 'newest'));
    const r = trials[0]!;
    console.log(`reconcile ${fmt(k)} missing of ${fmt(total)} (newest ops): ${fmt(r.bytes)} bytes in ${r.frames} frames = ${(r.bytes / r.opBytes).toFixed(3)}× the missing ops' ${fmt(r.opBytes)} bytes; median ${median(trials.map((x) => x.ms)).toFixed(0)} ms; converged ${r.converged}`);
  }
  // holes scattered everywhere: named by the VV holes list, or (forced) found by the Merkle walk
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const scattered = new Set<Op>();
  while (scattered.size < 1000) scattered.add(all[Math.floor(rand() * all.length)]!);
  for (const [label, depth, listed] of [['VV hole lists', 4, 4096], ['Merkle walk only, depth 4', 4, 0], ['Merkle walk only, depth 5', 5, 0]] as const) {
    const r = reconcile(all, scattered, 'scattered', depth, listed);
    console.log(`reconcile 1,000 scattered missing of ${fmt(total)} (${label}): ${fmt(r.bytes)} bytes in ${r.frames} frames = ${(r.bytes / r.opBytes).toFixed(2)}× the missing ops' ${fmt(r.opBytes)} bytes; ${r.ms.toFixed(0)} ms; converged ${r.converged}`);
  }
}

// ------------------------------------------------------------------ frame tags

/** frames per second one way over a link's codec: encode, (tag), decode the frame, (verify), decode the message */
function linkFrames(msg: Message, n: number, tagged: boolean): number {
  const key = Buffer.alloc(32, 1);
  const send = new FrameMac(key);
  const dec = new FrameDecoder();
  if (tagged) dec.mac = new FrameMac(key);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const f = encodeMessage(msg);
    dec.feed(f);
    if (tagged) dec.feed(send.tag(f));
    const got = dec.next();
    if (!got || typeof decodeMessage(got.type, got.payload) === 'string') throw new Error(`frame ${i} did not come through: ${dec.error?.message}`);
  }
  return n / ((performance.now() - t0) / 1000);
}

function frameCost(quick: boolean): void {
  const ops = makeOps(2000);
  const cases: [string, Message, number][] = [
    ['PING', { type: 'PING', n: 12345.678 }, quick ? 50_000 : 200_000],
    ['PUSH of 1 op', { type: 'PUSH', ops: [ops[0]!] }, quick ? 30_000 : 100_000],
    ['DELTA_SYNC of 2,000 ops', { type: 'DELTA_SYNC', s: 1, phase: 0, ops }, quick ? 20 : 60],
  ];
  for (const [label, msg, n] of cases) {
    const bytes = encodeMessage(msg).length;
    linkFrames(msg, Math.ceil(n / 10), false); linkFrames(msg, Math.ceil(n / 10), true); // warm-up (JIT)
    const plain: number[] = [], tagged: number[] = [];
    for (let t = 0; t < 5; t++) { plain.push(linkFrames(msg, n, false)); tagged.push(linkFrames(msg, n, true)); } // interleaved
    const p = median(plain), g = median(tagged);
    console.log(`frames/s, ${label} (${fmt(bytes)} B): tagged median ${fmt(g)} [${tagged.map(fmt).join(', ')}]; untagged ${fmt(p)} [${plain.map(fmt).join(', ')}]; tagged / untagged ${(g / p).toFixed(2)}×`);
  }
}

// the load-generating second process
if (process.env.MAEP_BENCH_LOAD && process.argv[1]?.endsWith('node.ts')) {
  const { target, conns, seconds } = JSON.parse(process.env.MAEP_BENCH_LOAD) as { target: string; conns: number; seconds: number };
  const r = await loadWorker(target, conns, seconds);
  process.stdout.write(JSON.stringify(r) + '\n');
}
