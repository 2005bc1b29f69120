import { fileURLToPath } from 'node:url';
/**
 * The CLI as a user meets it: bad flags and config give one clear line and exit 254; `check`
 * re-runs the checkers on a stored run; `export --edn` writes Jepsen's format.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { jepsen, latestRun, readJson } from './helpers.ts';

/** a user's mistake: exit 254 and exactly one line on stderr, no stack trace */
async function assertUsageError(args: string[], pattern: RegExp) {
  const res = await jepsen(args);
  assert.equal(res.exitCode, 254, `${args.join(' ')}\n${res.all}`);
  const lines = String(res.stderr).trim().split('\n');
  assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${res.stderr}`);
  assert.match(lines[0]!, /^splitbrain: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(String(res.stderr), /\n\s+at /);
}

test('bad flags: one line naming the problem, exit 254', async () => {
  await Promise.all([
    assertUsageError(['--workload', 'bank', '--nodes', 'many'], /--nodes: expected an integer, got "many"/),
    assertUsageError(['--workload', 'bank', '--wat'], /unknown flag --wat/),
    assertUsageError(['--nodes', '3'], /--workload is required/),
    assertUsageError(['--workload', 'bank', '--nemesis', 'meteor'], /unknown fault kind "meteor" \(built in: .*corrupt.*; maep's own: byzantine\)/),
    assertUsageError(['--workload', 'history', '--nemesis', 'corrupt', '--runtime', 'sim'], /corrupt faults need a node's data folder on this machine/),
    // a combination known to fail is refused before anything starts, in one line
    assertUsageError(['--workload', 'lww', '--system', 'etcd', '--runtime', 'sim'], /etcd has no pure core the simulator can drive/),
    assertUsageError(['--workload', 'lww', '--system', 'etcd', '--runtime', 'local'], /etcd cannot run on the local runtime/),
    assertUsageError(['--workload', 'bank', '--system', 'redis'], /redis does not support the bank workload/),
    assertUsageError(['--workload', 'lww', '--system', 'no/such/module.ts'], /--system no\/such\/module\.ts: no file at/),
    assertUsageError(['check'], /check needs one argument/),
    assertUsageError(['cluster', 'sideways'], /cluster needs one action/),
  ]);
});

test('bad config file: the field and the file are named, exit 254', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-cfg-'));
  try {
    const cfg = join(dir, 'c.yaml');
    writeFileSync(cfg, 'workload: bank\ntime-limit: soon\n');
    await assertUsageError(['--config', cfg], /--config .*c\.yaml: field "time-limit": expected a number > 0, got "soon"/);
    writeFileSync(cfg, 'workload: bank\nparams:\n  accounts: 1\n');
    await assertUsageError(['--config', cfg], /params\.accounts/);
    await assertUsageError(['--config', join(dir, 'missing.yaml')], /cannot read it/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('--help lists every flag with its default', async () => {
  const res = await jepsen(['--help']);
  assert.equal(res.exitCode, 0);
  for (const f of ['--workload', '--nemesis', '--nodes', '--time-limit', '--rate', '--concurrency', '--seed', '--runtime', '--store', '--recovery-time', '--config']) assert.ok(res.stdout.includes(f), f);
  assert.match(res.stdout, /--nodes N\s+.*\(default 5\)/);
  assert.match(res.stdout, /--time-limit S\s+.*\(default 30\)/);
});

test('check and export on a stored run; check on a bare history needs --workload', async () => {
  const store = mkdtempSync(join(tmpdir(), 'sb-cli-check-'));
  try {
    const run = await jepsen(['--workload', 'bank', '--runtime', 'local', '--nodes', '3', '--time-limit', '3', '--recovery-time', '5', '--store', store]);
    const dir = latestRun(store);
    const stored = readJson(join(dir, 'results.json'));
    assert.equal(run.exitCode, stored.exitCode);

    rmSync(join(dir, 'results.json'));
    const check = await jepsen(['check', dir]);
    assert.equal(check.exitCode, stored.exitCode, check.all);
    const again = readJson(join(dir, 'results.json'));
    assert.deepEqual(again.checkers.map((c: any) => [c.name, c.valid, c.matched]), stored.checkers.map((c: any) => [c.name, c.valid, c.matched]));

    const bare = join(store, 'elsewhere');
    mkdirSync(bare);
    copyFileSync(join(dir, 'history.jsonl'), join(bare, 'h.jsonl'));
    await assertUsageError(['check', join(bare, 'h.jsonl')], /--workload/);
    const withWorkload = await jepsen(['check', join(bare, 'h.jsonl'), '--workload', 'bank']);
    assert.ok([0, 1, 2].includes(withWorkload.exitCode!), withWorkload.all);
    assert.ok(!existsSync(join(bare, 'results.json')), 'a bare history gets no results.json');

    const exp = await jepsen(['export', '--edn', dir]);
    assert.equal(exp.exitCode, 0, exp.all);
    const edn = readFileSync(join(dir, 'history.edn'), 'utf8').trim().split('\n');
    const jsonl = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n');
    assert.equal(edn.length, jsonl.length);
    assert.match(edn[0]!, /^\{:index 0, :time \d+, :type :invoke, :process \d+, :f :(read|transfer), /);
    assert.ok(edn.some((l) => l.includes(':process :nemesis, :f :heal')));
  } finally { rmSync(store, { recursive: true, force: true }); }
});

test('check --model runs the linearizability checker on any history file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-model-'));
  try {
    const line = (index: number, type: string, process: number, f: string, value: unknown) => JSON.stringify({ index, time: index, type, process, f, value });
    const ok = join(dir, 'ok.jsonl');
    writeFileSync(ok, [line(0, 'invoke', 0, 'write', [0, 1]), line(1, 'ok', 0, 'write', [0, 1]), line(2, 'invoke', 1, 'read', [0, null]), line(3, 'ok', 1, 'read', [0, 1])].join('\n') + '\n');
    const stale = join(dir, 'stale.jsonl');
    writeFileSync(stale, [line(0, 'invoke', 0, 'write', [0, 1]), line(1, 'ok', 0, 'write', [0, 1]), line(2, 'invoke', 1, 'read', [0, null]), line(3, 'ok', 1, 'read', [0, 2])].join('\n') + '\n');
    // our history's register ops are [key, value]: the lww model (per key) reads them
    const good = await jepsen(['check', '--model', 'lww', ok]);
    assert.equal(good.exitCode, 0, good.all);
    assert.match(good.stdout, /linearizability \(lww\): valid/);
    const bad = await jepsen(['check', '--model', 'lww', stale]);
    assert.equal(bad.exitCode, 1, bad.all);
    // a published Jepsen etcd log with a known verdict (../shared/data/porcupine/expected.tsv)
    const etcd = fileURLToPath(new URL('../../../shared/data/porcupine/jepsen/etcd_002.log', import.meta.url));
    const published = await jepsen(['check', '--model', 'cas-register', etcd]);
    assert.equal(published.exitCode, 0, published.all);
    assert.match(published.stdout, /linearizability \(cas-register\): valid/);
    await assertUsageError(['check', '--model', 'nope', ok], /unknown model "nope"/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
