/**
 * `npm run bench -- node-restart [--ops N] [--runs K] [--keys K]`: how long a maep node takes to
 * start on a log of N ops (default 200,000), and how much memory it then holds (issue #18,
 * finding 9: every op is kept in memory and the whole log is read at start).
 *
 * The log is written directly (OpLog.encode: the node's own record format): N puts of the node's
 * own origin over K keys (default 1,000), so the folded state is K registers whatever N is. Each
 * run starts `node/main.ts --data DIR` as a child, times spawn → its ready line, then reads its
 * RSS (VmRSS, and the peak VmHWM, from /proc) and /admin/status, and kills it. Medians of K runs,
 * interleaved (empty, off, on, empty, off, on, …) so load swings hit every row alike.
 *
 * Rows: the empty log (the process's own baseline); compaction off (--compact-after 0: the whole
 * log read and every op held); compaction on (a copy of the same log, compacted once by a first
 * start with the default --compact-after, so each measured start reads snapshot.bin + an empty
 * tail). A lone node has no peer to wait for, so its stable frontier is everything it holds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, openSync, writeSync, closeSync, cpSync } from 'node:fs';
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

interface Start { readyMs: number; rssMb: number; hwmMb: number; opCount: number; compactedOpCount: number }

/** start, measure, and (`then`, before the kill) anything else while it runs */
async function startOnce(dir: string, extra: string[], then: (base: string) => Promise<void> = async () => {}): Promise<Start> {
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
    const status = await (await fetch(`http://${line}/admin/status`)).json() as { opCount: number; compactedOpCount: number };
    const s = { readyMs, rssMb: procKb(child.pid!, 'VmRSS') / 1024, hwmMb: procKb(child.pid!, 'VmHWM') / 1024, opCount: status.opCount, compactedOpCount: status.compactedOpCount };
    await then(`http://${line}`);
    return s;
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
  const compacted = mkdtempSync(join(tmpdir(), 'maep-restart-compacted-'));
  try {
    const t0 = performance.now();
    const bytes = writeLog(dir, ops, keys);
    console.log(`log: ${(bytes / 2 ** 20).toFixed(1)} MiB written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // the compacted copy: one start with compaction on folds the whole log away
    cpSync(dir, compacted, { recursive: true });
    const t1 = performance.now();
    // --compact-after 1: compact on the first tick whatever --ops is (the default 20,000 would never start below it)
    const first = await startOnce(compacted, ['--compact-after', '1'], async (base) => {
      for (;;) {
        const st = await (await fetch(`${base}/admin/status`)).json() as { compactedOpCount: number };
        if (st.compactedOpCount === ops) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const disk = (d: string, f: string) => { try { return statSync(join(d, f)).size; } catch { return 0; } };
    console.log(`compacting start: ready ${(first.readyMs / 1000).toFixed(2)} s, compacted after ${((performance.now() - t1) / 1000).toFixed(1)} s; on disk then: ops.log ${disk(compacted, 'ops.log')} B, snapshot.bin ${(disk(compacted, 'snapshot.bin') / 1024).toFixed(0)} KiB (was ${(bytes / 2 ** 20).toFixed(1)} MiB of log)`);
    const rows: [string, string, string[], Start[]][] = [
      ['empty log (process baseline)', empty, [], []],
      [`compaction off (--compact-after 0), ${ops.toLocaleString('en')} ops`, dir, ['--compact-after', '0'], []],
      [`compaction on (default), ${ops.toLocaleString('en')} ops compacted`, compacted, [], []],
    ];
    for (let i = 0; i < runs; i++) {
      for (const [, d, extra, out] of rows) out.push(await startOnce(d, extra));
    }
    const [, , , off] = rows[1]!, [, , , on] = rows[2]!;
    if (off.some((s) => s.opCount !== ops)) throw new Error(`compaction off: the node recovered ${off.map((s) => s.opCount)} ops, not ${ops}`);
    if (on.some((s) => s.compactedOpCount + s.opCount !== ops)) throw new Error(`compaction on: the node holds or compacted ${on.map((s) => s.compactedOpCount + s.opCount)} ops, not ${ops}`);
    console.log('');
    console.log('| start | ready (median) | RSS after start | peak RSS | ops held in memory |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const [label, , , rs] of rows) {
      console.log(`| ${label} | ${(median(rs.map((r) => r.readyMs)) / 1000).toFixed(2)} s | ${median(rs.map((r) => r.rssMb)).toFixed(0)} MB | ${median(rs.map((r) => r.hwmMb)).toFixed(0)} MB | ${rs[0]!.opCount.toLocaleString('en')} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(compacted, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}
