/**
 * `npm run bench -- harness-cpu [--seconds S] [--rounds R] [--workers W] [--base DIR]`: the harness's
 * own CPU per op, apart from the nodes (issue #20). The runner's phases as in the `harness` bench
 * (harness/runner/run-test.ts, the lww mix, W workers, --rate 1e6, the recorder writing
 * history.jsonl, maep's lww client over systems/http-json.ts) against 5 canned maep-like HTTP
 * servers in a child process that answer at once, so the harness is what limits the rate and its
 * CPU per op is measured with little noise from the machine's load. Each round is a fresh process.
 * --base DIR: another checkout of this repository (e.g. `git worktree add /tmp/base <commit>` with
 * node_modules linked), its rounds alternating with this checkout's in the same run.
 * Prints per round and the medians: ops/s, CPU per op (user + system) of the harness process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { NodeEndpoint } from '../api/runtime.ts';
import { attached, benchConfig, flag, median } from './harness.ts';

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), '..');

/** what a maep node answers to a GET /kv/k (headers as node:http writes them), for every request */
const SERVER = `
const net = require('node:net');
const body = '{"value":1}';
const answer = Buffer.from('HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: ' + body.length + '\\r\\nDate: Mon, 30 Nov 2026 09:30:00 GMT\\r\\nConnection: keep-alive\\r\\nKeep-Alive: timeout=5\\r\\n\\r\\n' + body);
const ports = [];
let open = 5;
for (let i = 0; i < 5; i++) {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      for (;;) {
        const end = buf.indexOf('\\r\\n\\r\\n');
        if (end < 0) return;
        const len = Number(/content-length: (\\d+)/i.exec(buf.toString('latin1', 0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.subarray(end + 4 + len);
        s.write(answer);
      }
    });
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => { ports[i] = server.address().port; if (--open === 0) console.log(ports.join(' ')); });
}`;

interface Round { rate: number; cpuUsPerOp: number }

/** one round in this process, with the runner, recorder and client of the checkout at `from` */
async function round(from: string, endpoints: NodeEndpoint[], seconds: number, workers: number, dir: string): Promise<Round> {
  const load = (p: string) => import(pathToFileURL(join(from, p)).href);
  const [{ runTest }, { HistoryRecorder }, { HarnessLog }, { loadSystem }, { createWorkload }] = await Promise.all(
    ['harness/runner/run-test.ts', 'harness/history/recorder.ts', 'harness/runner/harness-log.ts', 'harness/system/load-system.ts', 'workloads/index.ts'].map(load));
  const runtime = attached(endpoints);
  const once = async (s: number, seed: number): Promise<Round> => {
    const recorder = new HistoryRecorder(join(dir, `history-${process.pid}-${seed}.jsonl`));
    const config = benchConfig(endpoints.length, s, workers, seed, dir);
    let t0 = 0n, t1 = 0n, cpu0 = process.cpuUsage(), cpu = { user: 0, system: 0 };
    await runTest({
      config, runtime, system: await loadSystem('maep'), workload: createWorkload('lww', {}), nemesis: null, nemesisCtx: {}, recorder, log: new HarnessLog(() => {}),
      runDir: dir, runId: `cpu-${seed}`, interrupt: new AbortController().signal,
      onPhase: (p: string) => {
        if (p === 'main') { t0 = process.hrtime.bigint(); cpu0 = process.cpuUsage(); }
        if (p === 'heal') { t1 = process.hrtime.bigint(); cpu = process.cpuUsage(cpu0); }
      },
    });
    recorder.close();
    const ops = recorder.ops.filter((o: { type: string; process: unknown; f: string }) => o.type !== 'invoke' && typeof o.process === 'number' && o.f !== 'final-read').length;
    return { rate: ops / (Number(t1 - t0) / 1e9), cpuUsPerOp: (cpu.user + cpu.system) / ops };
  };
  await once(2, 1); // warm-up: the JIT
  return once(seconds, 2);
}

export async function main(args: string[]) {
  if (args[0] === '--round') {
    // a child: one round, its result on stdout
    const [, from, eps, seconds, workers, dir] = args;
    console.log(`ROUND ${JSON.stringify(await round(from!, JSON.parse(eps!), Number(seconds), Number(workers), dir!))}`);
    return;
  }
  const seconds = flag(args, 'seconds', '5'), rounds = Number(flag(args, 'rounds', '4')), workers = flag(args, 'workers', '50');
  const base = args.includes('--base') ? resolve(flag(args, 'base', '')) : null;
  const checkouts = base ? [root, base] : [root];
  const dir = mkdtempSync(join(tmpdir(), 'bench-harness-cpu-'));
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const ports = await new Promise<number[]>((ok) => server.stdout.once('data', (d) => ok(String(d).trim().split(' ').map(Number))));
    const endpoints: NodeEndpoint[] = ports.map((port, i) => ({ id: `n${i + 1}`, host: '127.0.0.1', ports: { client: port, peer: 0 } }));
    console.log(`machine: ${cpus().length} cores, Node ${process.versions.node}; load average at start ${loadavg()[0]!.toFixed(1)}`);
    console.log(`5 canned servers; lww mix, ${workers} workers, ${seconds} s per round, ${rounds} rounds${base ? `, alternating with ${base}` : ''}`);
    const results = new Map<string, Round[]>(checkouts.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) {
      // alternate who goes first, as the machine's load drifts
      for (const from of r % 2 === 0 ? checkouts : checkouts.slice().reverse()) {
        const child = spawnSync(process.execPath, ['--import', 'tsx', here, '--round', from, JSON.stringify(endpoints), seconds, workers, dir], { cwd: from, encoding: 'utf8' });
        const line = /^ROUND (.*)$/m.exec(child.stdout)?.[1];
        if (!line) throw new Error(`a round of ${from} failed (exit ${child.status}):\n${child.stderr}`);
        const res: Round = JSON.parse(line);
        results.get(from)!.push(res);
        console.log(`  round ${r + 1} ${from === root ? 'this checkout' : 'base'}: ${Math.round(res.rate).toLocaleString('en-US')} ops/s, ${res.cpuUsPerOp.toFixed(1)} µs CPU per op`);
      }
    }
    console.log(`load average at end ${loadavg()[0]!.toFixed(1)}`);
    for (const [from, rs] of results) {
      console.log(`${from === root ? 'this checkout' : `base ${from}`}: ${median(rs.map((x) => x.cpuUsPerOp)).toFixed(1)} µs CPU per op, ${Math.round(median(rs.map((x) => x.rate))).toLocaleString('en-US')} ops/s (medians of ${rs.length})`);
    }
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

// run directly (a round's child process) rather than through bench/main.ts
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
