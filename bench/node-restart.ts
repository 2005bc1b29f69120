/**
 * `npm run bench -- node-restart [--ops N] [--runs K] [--keys K]`: how long a maep node takes to
 * start on a log of N ops (default 200,000), and how much memory it then holds (issue #18,
 * finding 9: every op is kept in memory and the whole log is read at start).
 *
 * The log is written directly (OpLog.encode: the node's own record format): N puts of the node's
 * own origin over K keys (default 1,000), so the folded state is K registers whatever N is. Each
 * run starts `node/main.ts --data DIR` as a child, times spawn → its ready line, then reads its
 * RSS (VmRSS, and the peak VmHWM, from /proc) and /admin/status, and kills it. Medians of K runs.
 *
 * Compaction (a snapshot of the folded state plus the ops anti-entropy still needs) is not built
 * yet: the table has the "compaction off" row only. Once it exists, this bench gets a second row
 * with it on, side by side (see BENCHMARKS.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeOp } from '../node/core/ops.ts';
import { OpLog } from '../node/storage/log.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(root, 'node', 'main.ts');

function flag(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) { console.error(`--${name}: expected a positive integer, got ${args[i + 1]}`); process.exit(254); }
  return v;
}

/** DIR/ops.log with `ops` puts of origin n1 over `keys` keys */
function writeLog(dir: string, ops: number, keys: number): number {
  const fd = openSync(join(dir, 'ops.log'), 'w');
  try {
    const batch: Buffer[] = [];
    for (let seq = 1; seq <= ops; seq++) {
      const op = makeOp({ origin: 'n1', seq, ts: 1_700_000_000_000 + seq, vv: seq > 1 ? { n1: seq - 1 } : {}, kind: 'put', key: `k${seq % keys}`, payload: { value: seq } });
      batch.push(OpLog.encode(op));
      if (batch.length === 10_000) { writeSync(fd, Buffer.concat(batch)); batch.length = 0; }
    }
    if (batch.length) writeSync(fd, Buffer.concat(batch));
  } finally { closeSync(fd); }
  return statSync(join(dir, 'ops.log')).size;
}

function procKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

interface Start { readyMs: number; rssMb: number; hwmMb: number; opCount: number }

async function startOnce(dir: string, extra: string[]): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--id', 'n1', '--listen', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', dir, '--log-level', 'warn', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`not ready in 300 s: ${err}`)), 300_000);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /maep n1 ready http=(\S+)/.exec(out);
        if (m) { clearTimeout(timer); resolve(m[1]!); }
      });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}: ${err}`)); });
    });
    const readyMs = performance.now() - t0;
    const status = await (await fetch(`http://${line}/admin/status`)).json() as { opCount: number };
    return { readyMs, rssMb: procKb(child.pid!, 'VmRSS') / 1024, hwmMb: procKb(child.pid!, 'VmHWM') / 1024, opCount: status.opCount };
  } finally {
    child.kill('SIGKILL');
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

export async function main(args: string[]): Promise<void> {
  const ops = flag(args, 'ops', 200_000);
  const runs = flag(args, 'runs', 3);
  const keys = flag(args, 'keys', 1000);
  console.log(`node-restart: ${ops.toLocaleString('en')} ops over ${keys} keys, ${runs} runs each; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const empty = mkdtempSync(join(tmpdir(), 'maep-restart-empty-'));
  const dir = mkdtempSync(join(tmpdir(), 'maep-restart-'));
  try {
    const t0 = performance.now();
    const bytes = writeLog(dir, ops, keys);
    console.log(`log: ${(bytes / 2 ** 20).toFixed(1)} MiB written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const rows: [string, Start[]][] = [];
    rows.push(['empty log (process baseline)', []]);
    for (let i = 0; i < runs; i++) rows[0]![1].push(await startOnce(empty, []));
    rows.push([`compaction off (today): ${ops.toLocaleString('en')} ops`, []]);
    for (let i = 0; i < runs; i++) {
      const s = await startOnce(dir, []);
      if (s.opCount !== ops) throw new Error(`the node recovered ${s.opCount} ops, not ${ops}`);
      rows[1]![1].push(s);
    }
    console.log('');
    console.log('| start | ready (median) | RSS after start | peak RSS | ops held |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const [label, rs] of rows) {
      console.log(`| ${label} | ${(median(rs.map((r) => r.readyMs)) / 1000).toFixed(2)} s | ${median(rs.map((r) => r.rssMb)).toFixed(0)} MB | ${median(rs.map((r) => r.hwmMb)).toFixed(0)} MB | ${rs[0]!.opCount.toLocaleString('en')} |`);
    }
    console.log('| compaction on | not built yet (issue #18 finding 9) | | | |');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}
