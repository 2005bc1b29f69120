import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { resolveRunConfig, readConfigFile, reproduceCommand } from '../config/run-config.ts';
import { parseArgv } from '../config/argv.ts';
import { UsageError } from '../cli/usage-error.ts';

const usageMessage = (fn: () => unknown): string => {
  try { fn(); } catch (e) { assert.ok(e instanceof UsageError, `expected a UsageError, got ${e}`); return (e as Error).message; }
  assert.fail('expected a UsageError');
};

test('defaults: 5 nodes, concurrency 2 × nodes, no faults, local store', () => {
  const c = resolveRunConfig({ workload: 'bank' });
  assert.equal(c.nodes, 5);
  assert.equal(c.concurrency, 10);
  assert.deepEqual(c.nemesis, []);
  assert.equal(c.timeLimitS, 30);
  assert.equal(c.runtime, 'auto');
  assert.equal(c.store, './store');
  assert.equal(c.recoveryTimeS, 10);
  assert.ok(Number.isInteger(c.seed));
});

test('concurrency follows --nodes unless given', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), (n) => {
    assert.equal(resolveRunConfig({ workload: 'lww', nodes: String(n) }).concurrency, 2 * n);
    assert.equal(resolveRunConfig({ workload: 'lww', nodes: String(n), concurrency: '3' }).concurrency, 3);
  }));
});

test('flags override the config file, which overrides defaults', () => {
  const file = { workload: 'history', nodes: 3, rate: 7, nemesis: ['partition', 'kill'] };
  const c = resolveRunConfig({ rate: '9' }, file, 'x.yaml');
  assert.equal(c.workload, 'history');
  assert.equal(c.nodes, 3);
  assert.equal(c.rate, 9);
  assert.deepEqual(c.nemesis, ['partition', 'kill']);
});

test('nemesis list: comma separated, "none" is empty, duplicates dropped', () => {
  assert.deepEqual(resolveRunConfig({ workload: 'bank', nemesis: 'partition,clock,partition' }).nemesis, ['partition', 'clock']);
  assert.deepEqual(resolveRunConfig({ workload: 'bank', nemesis: 'none' }).nemesis, []);
});

test('bad numbers name the flag and the value', () => {
  fc.assert(fc.property(fc.constantFrom('nodes', 'time-limit', 'rate', 'concurrency', 'seed', 'recovery-time', 'op-timeout'), fc.constantFrom('abc', '-1', '0x', ''), (flag, value) => {
    if (flag === 'recovery-time' && value === '') return; // "" coerces to 0, a valid recovery time
    if (['seed'].includes(flag) && value === '') return;
    const msg = usageMessage(() => resolveRunConfig({ workload: 'bank', [flag]: value }));
    assert.match(msg, new RegExp(`^--${flag}: `));
    assert.ok(msg.includes(JSON.stringify(value)), msg);
  }));
});

test('a bad field in the config file is named with the file', () => {
  const msg = usageMessage(() => resolveRunConfig({}, { workload: 'bank', nodes: 'three' }, 'my.yaml'));
  assert.equal(msg, '--config my.yaml: field "nodes": expected an integer, got "three"');
});

test('missing workload, unknown workload, unknown fault kind, bad runtime', () => {
  assert.match(usageMessage(() => resolveRunConfig({})), /--workload is required/);
  assert.match(usageMessage(() => resolveRunConfig({ workload: 'queue' })), /--workload: expected one of bank, lww, history, set(, [a-z-]+)*, got "queue"/);
  assert.match(usageMessage(() => resolveRunConfig({ workload: 'bank', nemesis: 'partition,Flood!' })), /unknown fault kind "Flood!"/);
  // a name that is no built-in kind may be the system's own (System.faults): the run command checks it once the system is loaded
  const own = resolveRunConfig({ workload: 'bank', nemesis: 'partition,flood,corrupt' });
  assert.deepEqual([own.nemesis, own.systemNemesis], [['partition', 'corrupt'], ['flood']]);
  assert.match(usageMessage(() => resolveRunConfig({ workload: 'bank', runtime: 'vm' })), /--runtime: expected one of auto, local, docker, netns, sim/);
  assert.match(usageMessage(() => resolveRunConfig({ workload: 'bank', 'partition-shape': 'star' })), /--partition-shape/);
});

test('config file: YAML read, unknown fields and non-maps rejected with the file named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  try {
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, 'workload: lww\nnodes: 3\nparams:\n  keys: 2\n');
    const c = resolveRunConfig({}, readConfigFile(ok), ok);
    assert.equal(c.workload, 'lww');
    assert.deepEqual(c.params, { keys: 2 });
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'workload: lww\nnode: 3\n');
    assert.match(usageMessage(() => readConfigFile(unknown)), /unknown field "node"/);
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    assert.match(usageMessage(() => readConfigFile(list)), /expected a YAML map/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'workload: [lww\n');
    assert.match(usageMessage(() => readConfigFile(broken)), /not valid YAML/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the reproduce command parses back to the same config', () => {
  fc.assert(fc.property(
    fc.record({ workload: fc.constantFrom('bank', 'lww', 'history'), nodes: fc.integer({ min: 1, max: 9 }), seed: fc.nat(), rate: fc.integer({ min: 1, max: 500 }), nemesis: fc.subarray(['partition', 'pause', 'kill', 'clock', 'link']) }),
    (r) => {
      const c = resolveRunConfig({ workload: r.workload, nodes: String(r.nodes), seed: String(r.seed), rate: String(r.rate), nemesis: r.nemesis.join(',') || 'none', runtime: 'local' });
      const again = resolveRunConfig(parseArgv(reproduceCommand(c, 'local')).flags);
      assert.deepEqual(again, c);
    },
  ));
});

test('argv: --flag value and --flag=value; subcommands; unknown and misplaced flags', () => {
  assert.deepEqual(parseArgv(['--workload', 'bank', '--nodes=3']), { command: 'run', positionals: [], flags: { workload: 'bank', nodes: '3' } });
  assert.deepEqual(parseArgv(['check', 'store/latest']).positionals, ['store/latest']);
  assert.equal(parseArgv(['--node-args', '--some-node-switch', '--workload', 'bank']).flags['node-args'], '--some-node-switch');
  assert.match(usageMessage(() => parseArgv(['--wrokload', 'bank'])), /unknown flag --wrokload/);
  assert.match(usageMessage(() => parseArgv(['--nodes'])), /--nodes needs a value/);
  assert.match(usageMessage(() => parseArgv(['--rate', '--nodes', '3'])), /--rate needs a value/);
  assert.match(usageMessage(() => parseArgv(['check', '--rate', '3', 'x'])), /--rate does not apply to "check"/);
  assert.match(usageMessage(() => parseArgv(['--edn=1'])), /takes no value/);
  assert.match(usageMessage(() => parseArgv(['bogus'])), /unknown command "bogus"/);
  assert.match(usageMessage(() => parseArgv(['--nodes', '3', '--nodes', '4'])), /given twice/);
});
