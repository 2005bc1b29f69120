/**
 * maep on netns through the whole harness (the CLI): a bank run with partition,pause,kill and an
 * lww run with partitions (one-way ones once the nemesis has that shape) end as expected (exit 0),
 * record the netns mechanisms, and leave nothing of the run behind.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PARTITION_SHAPES } from '../../../api/fault.ts';
import { runTag } from '../names.ts';
import { assertNothingLeft, skipReason } from './helpers.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(REPO, 'harness', 'cli', 'main.ts');
const skip = skipReason();

function jepsen(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (code) => res({ code, out }));
  });
}

async function runOnNetns(workload: string, nemesis: string, extra: string[]): Promise<void> {
  const store = mkdtempSync(join(tmpdir(), `splitbrain-netns-${workload}-`));
  try {
    const res = await jepsen(['run', '--runtime', 'netns', '--workload', workload, '--nemesis', nemesis, '--nodes', '3',
      '--time-limit', '8', '--nemesis-interval', '2', '--seed', '3', '--store', store, ...extra]);
    const dir = join(store, readlinkSync(join(store, 'latest')));
    const testJson = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8'));
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    assert.equal(res.code, 0, res.out.slice(-2500));
    assert.equal(testJson.runtime, 'netns');
    for (const k of ['network', 'partition', 'pause', 'kill', 'clock', 'link']) assert.ok(testJson.mechanisms[k], `test.json mechanisms.${k}`);
    assert.equal(results.valid, true);
    for (const c of results.checkers) assert.ok(c.matched, `${c.name}: valid ${c.valid}, expected ${c.expected}`);
    const ops = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(ops.some((o) => o.process === 'nemesis' && /partition/.test(o.f)), 'partitions happened');
    await assertNothingLeft(runTag(`${testJson.name}-${Date.parse(testJson.startedAt)}`), dir);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

describe('maep on the netns runtime, through the CLI', { skip: !!skip, timeout: 180_000 }, () => {
  test('bank with partition,pause,kill: every checker as expected', () => runOnNetns('bank', 'partition,pause,kill', []));

  test('lww with partitions (one-way when the nemesis has it): every checker as expected', () => {
    const oneWay = (PARTITION_SHAPES as readonly string[]).includes('one-way');
    return runOnNetns('lww', 'partition', oneWay ? ['--partition-shape', 'one-way'] : []);
  });
});
