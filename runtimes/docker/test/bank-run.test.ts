// The whole harness on the docker runtime: `npm run jepsen -- --runtime docker --workload bank
// --nemesis partition`. Same expectations as on the local runtime: every checker as expected
// (exit 0), the cluster converges after heal, and nothing is left on the engine.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineOrSkip, leftovers } from './helpers.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(REPO, 'harness', 'cli', 'main.ts');

function jepsen(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (code) => res({ code, out }));
  });
}

test('a --runtime docker bank run with partitions meets the same expectations as on local', async (t) => {
  if (!(await engineOrSkip(t))) return;
  if (!existsSync(CLI) || !existsSync(join(REPO, 'node', 'main.ts'))) {
    assert.fail('the controller (harness/cli/main.ts) and maep (node/main.ts) are needed for a full run');
  }
  const store = mkdtempSync(join(tmpdir(), 'splitbrain-dockerbank-'));
  t.onTestFinished(() => rmSync(store, { recursive: true, force: true }));
  const res = await jepsen(['--runtime', 'docker', '--workload', 'bank', '--nemesis', 'partition', '--nodes', '5',
    '--time-limit', '12', '--nemesis-interval', '2', '--recovery-time', '20', '--seed', '7', '--store', store]);
  console.log(res.out.split('\n').slice(-14).join('\n'));
  const dir = join(store, readlinkSync(join(store, 'latest')));
  const testJson = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8'));
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));

  assert.equal(testJson.runtime, 'docker');
  for (const k of ['image', 'partition', 'pause', 'kill', 'clock', 'link']) assert.ok(testJson.mechanisms[k], `test.json mechanisms.${k}`);
  const ops = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(ops.some((o) => o.process === 'nemesis' && /partition/.test(o.f)), 'partitions happened');
  assert.ok(ops.some((o) => o.f === 'transfer' && o.type === 'ok'), 'transfers succeeded');

  const byName = Object.fromEntries(results.checkers.map((c: { name: string }) => [c.name, c]));
  assert.equal(byName.convergence?.valid, true, 'maep converges after heal');
  assert.equal(byName['bank-total']?.valid, true, 'money is neither created nor destroyed');
  for (const c of results.checkers) assert.ok(c.matched, `${c.name}: valid ${c.valid}, expected ${c.expected}`);
  assert.equal(res.code, 0, res.out.slice(-2000));

  for (const n of testJson.nodes) assert.match(readFileSync(join(dir, 'nodes', `${n}.log`), 'utf8'), new RegExp(`maep ${n} ready`));
  const runId = `${testJson.name}-${Date.parse(testJson.startedAt)}`;
  assert.deepEqual(await leftovers(runId), { containers: [], networks: [] });
});
