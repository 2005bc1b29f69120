/**
 * `npm run bench -- harness [--seconds S] [--rounds R] [--workers W] [--nodes N] [--node-args "…"]`:
 * is the harness the bottleneck? One maep cluster started with `cluster up` (local runtime), then,
 * interleaved R times against that same cluster:
 * - the harness: the runner's own phases (harness/runner/run-test.ts: rate limiter, process ids,
 *   the recorder writing history.jsonl, maep's lww client over systems/http-json.ts), W workers,
 *   --rate 1e6, no nemesis, S seconds; the rate is client ops completed in the main phase per second;
 * - `wrk` (Debian's; installed with apt-get when missing and running as root) with a Lua script
 *   sending the lww workload's request mix (40% GET /kv/k, 20% POST /kv/k/cas, 40% PUT /kv/k over
 *   3 keys), W connections spread over the nodes as the harness spreads its workers, S seconds.
 * Prints both rates, the harness's CPU per op, and the ratio (medians). `cluster down` at the end,
 * also on Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeEndpoint, Runtime } from '../api/runtime.ts';
import type { Op } from '../api/history.ts';
import type { NemesisContext } from '../api/fault.ts';
import type { RunConfig } from '../harness/config/run-config.ts';
import { runTest } from '../harness/runner/run-test.ts';
import { HistoryRecorder } from '../harness/history/recorder.ts';
import { HarnessLog } from '../harness/runner/harness-log.ts';
import { loadSystem } from '../harness/system/load-system.ts';
import { createWorkload } from '../workloads/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const median = (a: number[]) => { const s = a.slice().sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function flag(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : dflt;
}

function cli(store: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'harness/cli/main.ts'), ...args, '--store', store], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cluster ${args.join(' ')} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** "n1   127.0.0.1  client=8001 peer=7001" lines of `cluster up` */
export function parseEndpoints(out: string): NodeEndpoint[] {
  const eps: NodeEndpoint[] = [];
  for (const line of out.split('\n')) {
    const m = /^(n\d+)\s+(\S+)\s+(.*\bclient=\d+.*)$/.exec(line.trim());
    if (!m) continue;
    const ports: Record<string, number> = {};
    for (const kv of m[3]!.trim().split(/\s+/)) { const [k, v] = kv.split('='); ports[k!] = Number(v); }
    eps.push({ id: m[1]!, host: m[2]!, ports });
  }
  return eps;
}

/** a Runtime that hands runTest the already running cluster and does nothing else */
export function attached(endpoints: NodeEndpoint[]): Runtime {
  const no = async () => { throw new Error('the harness bench injects no faults'); };
  return {
    info: { name: 'local', mechanisms: {} },
    cannotServe: () => [],
    setup: async () => endpoints,
    teardown: async () => {},
    endpoints: () => endpoints,
    kill: no, restart: no, pause: no, resume: no, partition: no, heal: async () => {},
    setClockOffset: no, setLinkFault: no, clearLinkFaults: async () => {},
    logPath: () => '/dev/null',
  } as Runtime;
}

/** the run config of the bench's harness half: maep, lww, no nemesis, --rate 1e6 */
export function benchConfig(nodes: number, seconds: number, workers: number, seed: number, dir: string): RunConfig {
  return {
    system: 'maep', workload: 'lww', nemesis: [], nemesisIntervalS: 5, nodes, timeLimitS: seconds,
    rate: 1e6, concurrency: workers, seed, runtime: 'local', store: dir, recoveryTimeS: 2, opTimeoutS: 5,
    nodeArgs: [], linTimeoutS: 60, systemParams: {}, params: {},
  } as unknown as RunConfig;
}

interface HarnessRound { rate: number; ops: number; cpuMsPerOp: number; info: number; casRefused: number; latencyMs: number; gapMs: number }

async function harnessRound(endpoints: NodeEndpoint[], dir: string, seconds: number, workers: number, seed: number): Promise<HarnessRound> {
  const system = await loadSystem('maep');
  const workload = createWorkload('lww', {});
  const recorder = new HistoryRecorder(join(dir, `history-${seed}.jsonl`));
  const log = new HarnessLog(() => {});
  const config = benchConfig(endpoints.length, seconds, workers, seed, dir);
  let mainStart = 0n, mainEnd = 0n;
  let cpu0 = process.cpuUsage(), cpuMain = { user: 0, system: 0 };
  const interrupt = new AbortController();
  await runTest({
    config, runtime: attached(endpoints), system, workload, nemesis: null, nemesisCtx: {} as NemesisContext,
    recorder, log, runDir: dir, runId: `bench-${seed}`, interrupt: interrupt.signal,
    onPhase: (p) => {
      if (p === 'main') { mainStart = process.hrtime.bigint(); cpu0 = process.cpuUsage(); }
      if (p === 'heal') { mainEnd = process.hrtime.bigint(); cpuMain = process.cpuUsage(cpu0); }
    },
  });
  recorder.close();
  const done = recorder.ops.filter((o) => o.type !== 'invoke' && typeof o.process === 'number' && o.f !== 'final-read');
  const s = Number(mainEnd - mainStart) / 1e9;
  return {
    rate: done.length / s,
    ops: done.length,
    cpuMsPerOp: (cpuMain.user + cpuMain.system) / 1000 / done.length,
    info: done.filter((o) => o.type === 'info').length,
    casRefused: done.filter((o) => o.f === 'cas' && o.type === 'fail').length,
    ...latencyAndGap(recorder.ops.filter((o) => typeof o.process === 'number' && o.f !== 'final-read'), workers),
  };
}

/** mean op latency (invoke → completion) and mean gap between a worker's completion and its next invoke, ms */
function latencyAndGap(ops: Op[], workers: number): { latencyMs: number; gapMs: number } {
  const open = new Map<number, number>(), lastDone = new Map<number, number>();
  let lat = 0, nLat = 0, gap = 0, nGap = 0;
  for (const o of ops) {
    const w = (o.process as number) % workers;
    if (o.type === 'invoke') {
      const d = lastDone.get(w);
      if (d !== undefined) { gap += o.time - d; nGap++; }
      open.set(w, o.time);
    } else {
      const t = open.get(w);
      if (t !== undefined) { lat += o.time - t; nLat++; open.delete(w); }
      lastDone.set(w, o.time);
    }
  }
  return { latencyMs: lat / Math.max(1, nLat) / 1e6, gapMs: gap / Math.max(1, nGap) / 1e6 };
}

/** the lww generator's mix (workloads/lww.ts) as wrk requests; each thread talks to one node */
export function luaScript(endpoints: NodeEndpoint[]): string {
  const hosts = endpoints.map((e) => `{"${e.host}", "${e.ports.client}"}`).join(', ');
  return `
local hosts = { ${hosts} }
local n = 0
function setup(thread)
  n = n + 1
  local h = hosts[(n - 1) % #hosts + 1]
  thread.addr = wrk.lookup(h[1], h[2])[1]
  thread:set("tid", n)
end
local json = { ["content-type"] = "application/json" }
function init(args)
  math.randomseed(tid * 7919)
  nextv = tid * 10000000
  recent = { {}, {}, {} }
end
function request()
  local key = math.random(0, 2)
  local u = math.random()
  local path = "/kv/" .. key
  if u < 0.4 then return wrk.format("GET", path) end
  nextv = nextv + 1
  local seen = recent[key + 1]
  local req
  if u < 0.6 and #seen > 0 then
    req = wrk.format("POST", path .. "/cas", json, '{"expected":' .. seen[math.random(#seen)] .. ',"new":' .. nextv .. '}')
  else
    req = wrk.format("PUT", path, json, '{"value":' .. nextv .. '}')
  end
  table.insert(seen, nextv)
  if #seen > 3 then table.remove(seen, 1) end
  return req
end
`;
}

function haveWrk(): string | null {
  const has = () => spawnSync('wrk', ['--version']).error === undefined;
  if (has()) return null;
  if (process.getuid?.() !== 0) return 'wrk is not installed and this is not root (apt-get install -y wrk)';
  console.log('installing wrk (apt-get install -y wrk)…');
  const r = spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'ignore' });
  return r.status === 0 && has() ? null : 'apt-get install -y wrk failed';
}

async function wrkRound(endpoints: NodeEndpoint[], script: string, seconds: number, connections: number): Promise<{ rate: number; latencyMs: number; cpuMsPerReq: number; non2xx: number; errors: string }> {
  const threads = Math.min(endpoints.length, connections);
  const first = endpoints[0]!;
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('/usr/bin/time', ['-f', 'WRKCPU %U %S', 'wrk', `-t${threads}`, `-c${connections}`, `-d${seconds}s`, '-s', script, `http://${first.host}:${first.ports.client}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    // (/usr/bin/time gives wrk's own CPU time: its per-request cost does not depend on the machine's load)
    let text = '';
    p.stdout.on('data', (c) => { text += c; });
    p.stderr.on('data', (c) => { text += c; });
    p.on('error', reject);
    p.on('close', () => resolve(text));
  });
  const rate = Number(/Requests\/sec:\s*([\d.]+)/.exec(out)?.[1]);
  if (!Number.isFinite(rate)) throw new Error(`wrk printed no rate:\n${out}`);
  const cpu = /WRKCPU ([\d.]+) ([\d.]+)/.exec(out);
  const cpuMsPerReq = cpu ? ((Number(cpu[1]) + Number(cpu[2])) * 1000) / (rate * seconds) : NaN;
  const lat = /Latency\s+([\d.]+)(us|ms|s)/.exec(out);
  const latencyMs = lat ? Number(lat[1]) * (lat[2] === 'us' ? 1e-3 : lat[2] === 's' ? 1e3 : 1) : NaN;
  return { rate, latencyMs, cpuMsPerReq, non2xx: Number(/Non-2xx or 3xx responses:\s*(\d+)/.exec(out)?.[1] ?? 0), errors: /Socket errors:.*$/m.exec(out)?.[0] ?? '' };
}

export async function main(args: string[]) {
  const seconds = Number(flag(args, 'seconds', '8'));
  const rounds = Number(flag(args, 'rounds', '3'));
  const workers = Number(flag(args, 'workers', '50'));
  const nodes = flag(args, 'nodes', '5');
  const nodeArgs = flag(args, 'node-args', '');
  const store = mkdtempSync(join(tmpdir(), 'bench-harness-'));
  let up = false;
  const down = () => { if (!up) return; up = false; try { cli(store, 'cluster', 'down'); } catch (e) { console.error(`cluster down failed: ${(e as Error).message}`); } };
  const onSignal = () => { down(); rmSync(store, { recursive: true, force: true }); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const noWrk = haveWrk();
    console.log(`machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; load average at start ${loadavg()[0]!.toFixed(1)}`);
    const upOut = cli(store, 'cluster', 'up', '--nodes', nodes, '--runtime', 'local', ...(nodeArgs ? ['--node-args', nodeArgs] : []));
    up = true;
    const endpoints = parseEndpoints(upOut);
    if (endpoints.length !== Number(nodes)) throw new Error(`could not read the endpoints from cluster up:\n${upOut}`);
    console.log(`cluster up: ${endpoints.length} maep nodes (local runtime${nodeArgs ? `, ${nodeArgs}` : ''}); lww mix, ${workers} workers/connections, ${seconds} s per round, ${rounds} rounds interleaved`);
    const script = join(store, 'lww.lua');
    writeFileSync(script, luaScript(endpoints));
    console.log('warm-up: 3 s of each, not counted');
    const h: HarnessRound[] = [], w: number[] = [], wCpu: number[] = [];
    // warm-up (not counted): the nodes' and the harness's JIT, the nodes' first keys
    await harnessRound(endpoints, store, 3, workers, 999);
    if (!noWrk) await wrkRound(endpoints, script, 3, workers);
    for (let r = 0; r < rounds; r++) {
      // alternate who goes first: the nodes' state grows, so a fixed order would favour one side
      const order: ('h' | 'w')[] = r % 2 === 0 ? ['h', 'w'] : ['w', 'h'];
      for (const who of order) {
        if (who === 'h') {
          const hr = await harnessRound(endpoints, store, seconds, workers, 1000 + r);
          h.push(hr);
          console.log(`  round ${r + 1} harness: ${fmt(hr.rate)} ops/s (${fmt(hr.ops)} ops, ${fmt(hr.casRefused)} refused cas, ${hr.info} info, ${hr.cpuMsPerOp.toFixed(3)} ms harness CPU per op; latency ${hr.latencyMs.toFixed(1)} ms, gap to the next op ${hr.gapMs.toFixed(2)} ms)`);
        } else if (!noWrk) {
          const wr = await wrkRound(endpoints, script, seconds, workers);
          w.push(wr.rate);
          wCpu.push(wr.cpuMsPerReq);
          console.log(`  round ${r + 1} wrk:     ${fmt(wr.rate)} req/s (${fmt(wr.non2xx)} non-2xx: refused cas; mean latency ${wr.latencyMs.toFixed(1)} ms; ${wr.cpuMsPerReq.toFixed(3)} ms wrk CPU per request${wr.errors ? `; ${wr.errors}` : ''})`);
        }
      }
    }
    console.log(`load average at end ${loadavg()[0]!.toFixed(1)}`);
    const hm = median(h.map((x) => x.rate));
    console.log(`harness: ${fmt(hm)} ops/s (median of ${rounds}), ${median(h.map((x) => x.cpuMsPerOp)).toFixed(3)} ms harness CPU per op`);
    if (noWrk) { console.log(`wrk: skipped, ${noWrk}`); return; }
    const wm = median(w);
    console.log(`wrk:     ${fmt(wm)} req/s (median of ${rounds}), ${median(wCpu).toFixed(3)} ms wrk CPU per request`);
    console.log(`CPU per op, harness / wrk: ${(median(h.map((x) => x.cpuMsPerOp)) / median(wCpu)).toFixed(1)}× (independent of the machine's load; the rates are not: on a shared machine wrk's ${Math.min(endpoints.length, workers)} threads get more of the cores than the harness's one event loop)`);
    console.log(`ratio harness / wrk: ${(hm / wm).toFixed(2)}× (target ≥ 0.8×); per round: ${h.map((x, i) => (x.rate / w[i]!).toFixed(2)).join(' · ')}`);
  } finally {
    down();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    rmSync(store, { recursive: true, force: true });
  }
}

