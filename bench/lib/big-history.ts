/**
 * Shared by `npm run bench -- check` and `npm run bench -- report`: a big run folder generated with
 * a fixed seed, and a child process measured by /usr/bin/time (wall time and peak RSS).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bankRun } from '../../harness/report/test/fixtures.ts';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function machine(): string {
  return `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, load average ${loadavg()[0]!.toFixed(1)}`;
}

/**
 * A bank run (harness/report/test/fixtures.ts: 5 workers, one partition, a heal, final reads that
 * converge) with `ops` client ops, seed 3; test.json gets the workload params the history was made
 * with, so `check` runs the bank workload's real checkers on it.
 */
export function bigBankRun(dir: string, ops: number): { clientOps: number; lines: number; bytes: number } {
  const run = bankRun(dir, { ops, durationS: Math.max(20, ops / 300), seed: 3 });
  const testPath = join(dir, 'test.json');
  const test = JSON.parse(readFileSync(testPath, 'utf8'));
  test.system = 'maep';
  test.config = { system: 'maep', nemesis: ['partition'], params: { accounts: 5, 'initial-balance': 10 } };
  writeFileSync(testPath, JSON.stringify(test, null, 2));
  const hist = join(dir, 'history.jsonl');
  let lines = 0;
  const buf = readFileSync(hist);
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) lines++;
  return { clientOps: run.counts.clientOps, lines, bytes: statSync(hist).size };
}

export interface Measured { wallS: number; maxRssMb: number; exit: number; stdout: string; stderr: string }

/** `/usr/bin/time -v <cmd>`: elapsed wall time and peak resident set size of the child */
export function timed(cmd: string, args: string[]): Measured {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  if (!Number.isFinite(rss) || !wall) throw new Error(`/usr/bin/time printed no figures (is it installed? apt-get install -y time):\n${r.stderr.slice(-2000)}`);
  const wallS = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { wallS, maxRssMb: rss / 1024, exit: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** the floor: a node process that only streams the history's lines into an array of parsed ops */
export function parseOnlyBaseline(history: string): Measured {
  const script = `
const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(process.argv[1]), crlfDelay: Infinity });
const ops = [];
rl.on('line', (l) => { if (l) ops.push(JSON.parse(l)); });
rl.on('close', () => console.log(ops.length));`;
  return timed(process.execPath, ['-e', script, history]);
}

export const mb = (n: number) => `${Math.round(n)} MB`;

/**
 * A big bank run in a temporary folder, with the machine, the history's size and the parse-only
 * floor printed first; `body` gets the run folder and that floor. The folder is removed after.
 */
export async function withBigHistory(name: string, ops: number, body: (dir: string, floor: Measured) => Promise<void>): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  try {
    const dir = join(tmp, 'run');
    const t0 = performance.now();
    const h = bigBankRun(dir, ops);
    console.log(`machine: ${machine()}; date ${new Date().toISOString().slice(0, 10)}`);
    console.log(`history: ${h.clientOps.toLocaleString('en-US')} client ops (bank, seed 3), ${h.lines.toLocaleString('en-US')} lines, ${(h.bytes / 1e6).toFixed(1)} MB (generated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const floor = parseOnlyBaseline(join(dir, 'history.jsonl'));
    console.log(`baseline, parse only (readline + JSON.parse into an array): ${floor.wallS.toFixed(1)} s, peak RSS ${mb(floor.maxRssMb)}`);
    await body(dir, floor);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
