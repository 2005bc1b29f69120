/**
 * `npm run bench -- etcd [seconds]`: the rate the harness drives against a 5-member etcd cluster
 * on the netns runtime with 20 workers (lww, no faults, an unreachable --rate so workers go as
 * fast as etcd answers), and how long the checkers take on the history it leaves. The baseline in
 * the same run: the same harness and workload against 5 maep nodes on the same runtime.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));

function drive(system: string, seconds: number): { okPerS: number; opsPerS: number; checks: Record<string, number> } {
  const store = mkdtempSync(join(tmpdir(), `bench-${system}-`));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'harness/cli/main.ts', '--system', system, '--runtime', 'netns', '--workload', 'lww',
      '--nodes', '5', '--concurrency', '20', '--rate', '100000', '--time-limit', String(seconds), '--seed', '1', '--store', store], { cwd: REPO, encoding: 'utf8' });
    const dir = join(store, readlinkSync(join(store, 'latest')));
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    if (r.status !== 0) console.error(`${system}: exit ${r.status}\n${(r.stdout + r.stderr).slice(-1500)}`);
    const stats = results.checkers.find((c: any) => c.name === 'stats').result;
    const client = Object.entries(stats.byF ?? {}).filter(([f]) => f !== 'final-read').map(([, v]) => v as { ok: number; total: number });
    const ok = client.reduce((s, v) => s + v.ok, 0), total = client.reduce((s, v) => s + v.total, 0);
    return { okPerS: ok / seconds, opsPerS: total / seconds, checks: Object.fromEntries(results.checkers.map((c: any) => [c.name, c.elapsedMs])) };
  } finally { rmSync(store, { recursive: true, force: true }); }
}

export function main(args: string[]): void {
  const seconds = Number(args[0] ?? 20);
  const etcd = drive('etcd', seconds);
  const maep = drive('maep', seconds);
  console.log(`lww, 5 nodes on netns, 20 workers, ${seconds} s, no faults`);
  console.log(`system  client ops/s  ok ops/s  check ms (per checker)`);
  for (const [name, r] of [['etcd', etcd], ['maep', maep]] as const) {
    console.log(`${name.padEnd(6)}  ${r.opsPerS.toFixed(0).padStart(12)}  ${r.okPerS.toFixed(0).padStart(8)}  ${JSON.stringify(r.checks)}`);
  }
  console.log(`etcd / maep client ops/s: ${(etcd.opsPerS / maep.opsPerS).toFixed(2)}`);
}
